"""Scalars rendered exactly as REST renders them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry
from graphql import GraphQLError

from app.domain.clock import rfc3339


def _parse(value: str) -> datetime:
    """Bad input is the caller's error (a GraphQLError is shown as it is), never an internal one."""
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            raise ValueError
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise GraphQLError(
            f"{value!r} is not an RFC 3339 instant with an offset.", extensions={"code": "BAD_USER_INPUT"}
        ) from exc


DateTime = strawberry.scalar(
    name="DateTime",
    description="An instant, RFC 3339 in UTC (`2026-11-22T20:48:53.123456Z`), as in REST.",
    serialize=rfc3339,
    parse_value=_parse,
)

SCALAR_OVERRIDES: dict[object, Any] = {datetime: DateTime}
