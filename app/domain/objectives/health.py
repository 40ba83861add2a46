"""Health moves with time as well as with progress: an objective nobody checks in on falls behind as its
period runs. Each open objective has a timed job that re-evaluates it at every midnight of the
organization's time zone (the roll-up of base.py, recorded by the scheduler as `objective.updated` when
only its health changed)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.domain.jobs import SYSTEM_ACTOR, Job
from app.domain.objectives.base import WRITE, ObjectivesBase
from app.domain.objectives.model import OPEN_STATUSES
from app.domain.ports import Clock, UnitOfWork
from app.domain.principal import Principal


def next_midnight(now: datetime, time_zone: str) -> datetime:
    """The start of the next day in the organization's time zone, as an aware instant."""
    tz = ZoneInfo(time_zone)
    tomorrow = now.astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time.min, tz).astimezone(now.tzinfo)


async def refresh_health(uow: UnitOfWork, clock: Clock, job: Job) -> datetime | None:
    objective = await uow.objectives.get(job.subject_id)
    if objective is None or objective.status not in OPEN_STATUSES:
        return None
    scheduler = Principal(subject="scheduler", organization_id=job.organization_id, scopes=frozenset({WRITE}))
    service = ObjectivesBase(uow, scheduler, clock, actor=SYSTEM_ACTOR)
    await service.roll_up([objective.id])
    return next_midnight(clock.now(), await service.time_zone())
