"""Check-in reminders: a key result with a cadence whose last check-in (or, before any, its creation) is
older than the cadence gets `key_result.check_in_due`, once per period, from the worker's scheduler.

Periods count in the organization's time zone: a week is seven days, a fortnight fourteen, a month the
same day and hour of the next month (the 31st becomes the month's last day)."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.domain.events import Event
from app.domain.ids import new_id
from app.domain.jobs import SYSTEM_ACTOR, Job
from app.domain.objectives.model import OPEN_STATUSES
from app.domain.ports import Clock, UnitOfWork

_DAYS = {"weekly": 7, "biweekly": 14}


def next_due(after: datetime, cadence: str, time_zone: str, periods: int = 1) -> datetime:
    """`periods` periods after `after`, in the organization's time zone. Months count from `after`'s own
    day (the 31st gives each month's last day, and the 31st again when the month has one)."""
    local = after.astimezone(ZoneInfo(time_zone))
    if cadence in _DAYS:
        return (local + timedelta(days=_DAYS[cadence] * periods)).astimezone(after.tzinfo)
    if cadence != "monthly":
        raise ValueError(f"no period for the cadence {cadence!r}")
    year, month = divmod(local.month - 1 + periods, 12)
    year, month = local.year + year, month + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(after.tzinfo)


def first_due(anchor: datetime, cadence: str, time_zone: str, now: datetime) -> datetime:
    """The first end of a period after `now`, periods counted from `anchor` (never from a previous end, so
    that a month's short end does not shift the ones after it)."""
    periods = 1
    while (due := next_due(anchor, cadence, time_zone, periods)) <= now:
        periods += 1
    return due


async def check_in_due(uow: UnitOfWork, clock: Clock, job: Job) -> datetime | None:
    """The reminder job of one key result: records `key_result.check_in_due` when a period ended without a
    check-in, and answers when the next period ends. The key result is read, not locked: a check-in that
    commits meanwhile reschedules the job after this one ends (the job's row is held until then)."""
    key_result = await uow.key_results.get(job.subject_id)
    if key_result is None or key_result.check_in_cadence == "none":
        return None
    objective = await uow.objectives.get(key_result.objective_id)
    if objective is None or objective.status not in OPEN_STATUSES:
        return None
    org = await uow.organizations.get(job.organization_id)
    zone = org.time_zone if org is not None else "UTC"
    now = clock.now()
    anchor = key_result.last_check_in_at or key_result.created_at
    due = next_due(anchor, key_result.check_in_cadence, zone)
    if due > now:  # checked in since the job was set: the period runs on
        return due
    if objective.status == "active":
        uow.record(
            Event(
                id=new_id("evt"),
                type="key_result.check_in_due",
                organization_id=job.organization_id,
                occurred_at=now,
                actor=SYSTEM_ACTOR,
                object=key_result.resource(),
                previous_attributes={},
            )
        )
    return first_due(anchor, key_result.check_in_cadence, zone, now)
