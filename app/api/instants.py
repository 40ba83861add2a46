"""Instants in query strings and bodies: RFC 3339 with an offset, and representable in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime


def _utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:  # 0001-01-01T00:00:00+01:00 has no UTC instant
        raise ValueError("the instant is out of range") from exc


Instant = Annotated[AwareDatetime, AfterValidator(_utc)]
