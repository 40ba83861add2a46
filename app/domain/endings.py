"""Ends that come by themselves: a membership or a role assignment whose `ends_on` is in the future is
announced (`membership.ended`, `role_assignment.ended`) when that day comes, by a timed job of the
scheduler, so that an HR system or a directory hears of it without polling. A change that sets an
`ends_on` that has already come announces it at once, as before."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from app.domain.changes import record
from app.domain.jobs import SYSTEM_ACTOR, Job
from app.domain.ports import Clock, UnitOfWork
from app.domain.principal import Principal

# The job kind (also the event it records) → the collection of its subjects.
ENDINGS = {"membership.ended": "memberships", "role_assignment.ended": "role_assignments"}


def ending_due(ends_on: date) -> datetime:
    """The first instant of the `ends_on` day: from then on the end has come (the day counts in UTC, as
    "running today" does)."""
    return datetime.combine(ends_on, time(), UTC)


async def schedule_ending(uow: UnitOfWork, kind: str, entity: Any, today: date) -> None:
    """A future end gets its job (moved if the date changes); an end already come, or none, has no job."""
    if entity.ends_on is not None and entity.ends_on > today:
        await uow.jobs.schedule(kind, entity.id, ending_due(entity.ends_on))
    else:
        await uow.jobs.cancel(kind, entity.id)


async def announce_ending(uow: UnitOfWork, clock: Clock, job: Job) -> datetime | None:
    """The job's work: the end is announced if the object still ends then (it may have changed since)."""
    entity = await getattr(uow, ENDINGS[job.kind]).get(job.subject_id)
    if entity is None or entity.ends_on is None:
        return None
    if entity.ends_on > clock.now().date():
        return ending_due(entity.ends_on)  # moved later meanwhile: not yet
    if ending_due(entity.ends_on) != job.due_at:
        return None  # moved earlier by a change that announced it then (the sync closes memberships so)
    scheduler = Principal(subject="scheduler", organization_id=job.organization_id, scopes=frozenset())
    record(uow, scheduler, clock, job.kind, entity.resource(), job.organization_id, None, SYSTEM_ACTOR)
    return None
