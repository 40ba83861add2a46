from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SystemClock:
    """The time the domain reads. `offset` moves it (LIAISON_CLOCK_OFFSET_SECONDS, set by every process at
    start): tests and demos stand a week in for a real one, without a mock, in every process alike."""

    offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


def set_clock_offset(seconds: float) -> None:
    SystemClock.offset = timedelta(seconds=seconds)


SYSTEM_CLOCK = SystemClock()


def rfc3339(value: datetime) -> str:
    """RFC 3339 in UTC with a `Z`, the one time format of the contract."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
