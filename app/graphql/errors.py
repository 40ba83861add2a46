"""Domain errors in GraphQL: a machine-readable `extensions.code`; anything else is masked."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension

from app.domain import errors as de
from app.repo.engine import is_rejected_value

CODES: dict[type[de.DomainError], str] = {
    de.Invalid: "BAD_USER_INPUT",
    de.NotFound: "NOT_FOUND",
    de.Conflict: "CONFLICT",
    de.PreconditionFailed: "PRECONDITION_FAILED",
    de.Unauthenticated: "UNAUTHENTICATED",
    de.Forbidden: "FORBIDDEN",
}


REJECTED_VALUE = "A value in the request cannot be stored (out of range or an invalid character)."


def code_of(exc: BaseException | None) -> str | None:
    if exc is not None and is_rejected_value(exc):
        return "BAD_USER_INPUT"
    return next((code for cls, code in CODES.items() if isinstance(exc, cls)), None)


class DomainErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or []:
            code = code_of(error.original_error)
            if error.original_error is not None and is_rejected_value(error.original_error):
                error.message = REJECTED_VALUE  # the driver's own message quotes the statement
            if code:
                error.extensions = {**(error.extensions or {}), "code": code}


def masked() -> MaskErrors:
    def should_mask(error: GraphQLError) -> bool:
        original = error.original_error
        # Validation and limit errors have no original error and say nothing private: keep them, and so
        # are errors raised as GraphQLError on purpose (bad scalar input).
        return (
            original is not None
            and not isinstance(original, de.DomainError | GraphQLError)
            and not is_rejected_value(original)
        )

    return MaskErrors(
        should_mask_error=should_mask, error_message="Internal error; the request id identifies it in our logs."
    )
