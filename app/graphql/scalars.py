"""Scalars rendered exactly as REST renders them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry

from app.domain.clock import rfc3339


def _parse(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("a DateTime needs a UTC offset (RFC 3339)")
    return parsed.astimezone(UTC)


DateTime = strawberry.scalar(
    name="DateTime",
    description="An instant, RFC 3339 in UTC (`2026-11-22T20:48:53.123456Z`), as in REST.",
    serialize=rfc3339,
    parse_value=_parse,
)

SCALAR_OVERRIDES: dict[object, Any] = {datetime: DateTime}
