from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


SYSTEM_CLOCK = SystemClock()


def rfc3339(value: datetime) -> str:
    """RFC 3339 in UTC with a `Z`, the one time format of the contract."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
