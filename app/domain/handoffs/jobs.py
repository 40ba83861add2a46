"""The clocks' timed jobs: at a clock's 80 % mark `handoff.sla_warning`, at its deadline `handoff.overdue`,
each exactly once (the marks are kept in the handoff's `sla`, written with the job's end in one
transaction), with `data.clock`."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from app.domain.handoffs import clocks
from app.domain.handoffs.history import _copy
from app.domain.handoffs.service import CLOCK_JOBS, WRITE, HandoffsBase
from app.domain.jobs import SYSTEM_ACTOR, Job
from app.domain.patch import previous_attributes
from app.domain.ports import Clock, UnitOfWork
from app.domain.principal import Principal

CLOCK_OF_JOB = {kind: name for name, kind in CLOCK_JOBS.items()}


async def lock_handoff(uow: UnitOfWork, job: Job) -> None:
    """Taken before the job's own row: the order the handoff's actions take (the handoff, then its jobs)."""
    await uow.handoffs.get(job.subject_id, for_update=True)


async def clock_due(uow: UnitOfWork, clock: Clock, job: Job) -> datetime | None:
    handoff = await uow.handoffs.get(job.subject_id)
    if handoff is None:
        return None
    name = CLOCK_OF_JOB[job.kind]
    now = clock.now()
    changed = replace(handoff, sla=_copy(handoff.sla))
    fired = clocks.fire(changed.sla, name, now)
    if "overdue" in fired:
        changed.overdue = True
        await uow.handoff_offers.mark_overdue(handoff.id)
    if fired:
        scheduler = Principal(subject="scheduler", organization_id=job.organization_id, scopes=frozenset({WRITE}))
        service = HandoffsBase(uow, scheduler, clock, actor=SYSTEM_ACTOR)
        before = handoff.resource()
        changed.touch(now)
        await uow.handoffs.save(changed, expected_version=handoff.version)
        for mark in fired:
            service._record(
                f"handoff.{mark}", changed.resource(), previous_attributes(before, changed.resource()), clock=name
            )
    return clocks.next_due(changed.sla, name)
