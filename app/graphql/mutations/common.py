"""What every mutation shares: its own transaction, and the domain's errors as `userErrors`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry

from app.domain.errors import DomainError, Forbidden, Invalid, Unauthenticated

S = TypeVar("S")


@strawberry.type(description="A problem with the input or the state of things; nothing was changed.")
class UserError:
    field: str | None = strawberry.field(description="A JSON pointer into the input, when one field is at fault.")
    message: str
    code: str = strawberry.field(
        description="The same words as REST: a field's code (`required`, `invalid`, …) as in a problem's "
        "`errors`, else the problem type (`conflict`, `not-found`, `precondition-failed`)."
    )


async def run_service(
    info: strawberry.Info, make: Callable[..., S], work: Callable[[S], Awaitable[Any]]
) -> tuple[Any, list[UserError]]:
    """Run `work` on the service `make` builds, in a write transaction committed before the mutation
    answers; the domain's errors become `userErrors` (authentication and scope errors stay GraphQL errors)."""
    try:
        async with info.context.write() as uow:
            return await work(make(uow, info.context.principal)), []
    except (Unauthenticated, Forbidden):
        raise
    except Invalid as exc:
        errors = [UserError(field=e.field, message=e.message, code=e.code) for e in exc.errors]
        return None, errors or [UserError(field=None, message=exc.detail, code=exc.problem)]
    except DomainError as exc:
        return None, [UserError(field=exc.field, message=exc.detail, code=exc.problem)]
