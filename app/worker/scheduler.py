"""The scheduler: runs timed jobs (app/domain/jobs.py) when they are due, exactly once across worker
processes and restarts. It claims due jobs with a lease (app/repo/jobs.py), then runs each in its
organization's unit of work, which ends or moves the job in the same transaction as the job's work.
Time is the domain's clock (LIAISON_CLOCK_OFFSET_SECONDS moves it in every process alike)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta

import structlog

from app.domain.clock import SYSTEM_CLOCK
from app.domain.endings import ENDINGS, announce_ending
from app.domain.feedback import jobs as feedback_jobs
from app.domain.feedback.anonymity import RELEASE_JOB
from app.domain.feedback.requests import DUE_JOB
from app.domain.feedback.surveys import CLOSE_JOB, OPEN_JOB
from app.domain.handoffs import jobs as handoff_jobs
from app.domain.handoffs.service import CLOCK_JOBS
from app.domain.jobs import Handler, Job
from app.domain.objectives import health, reminders
from app.domain.objectives.base import HEALTH, REMINDER
from app.domain.ports import UnitOfWork
from app.repo.uow import Database
from app.settings import Settings

log = structlog.get_logger("liaison.scheduler")
HANDLERS: dict[str, Handler] = {
    REMINDER: reminders.check_in_due,
    HEALTH: health.refresh_health,
    **dict.fromkeys(CLOCK_JOBS.values(), handoff_jobs.clock_due),
    **dict.fromkeys(ENDINGS, announce_ending),
    OPEN_JOB: feedback_jobs.open_survey,
    CLOSE_JOB: feedback_jobs.close_survey,
    DUE_JOB: feedback_jobs.request_due,
    RELEASE_JOB: feedback_jobs.release_held,
}
# What a job's work will lock, taken before the job's own row: the order the API's changes take (the
# subject, then its jobs), so that a job and a change of its subject queue rather than deadlock.
LOCKS: dict[str, Callable[[UnitOfWork, Job], Awaitable[None]]] = dict.fromkeys(
    CLOCK_JOBS.values(), handoff_jobs.lock_handoff
)
BATCH = 20  # jobs claimed at once: a small batch, so that a worker that dies holds few of them


class Scheduler:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db, self.settings = db, settings
        self.ran = 0  # jobs this process ran (tests and metrics read it)

    async def run(self, stop: asyncio.Event) -> None:
        log.info("scheduler_started")
        while not stop.is_set():
            try:
                count = await self.run_due()
            except Exception:  # the database restarting, say: the next pass tries again
                log.exception("scheduler_pass_failed")
                count = 0
            if count == BATCH:
                continue  # more are due
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.settings.scheduler_poll_seconds)
        log.info("scheduler_stopped")

    async def run_due(self) -> int:
        """Claim the jobs due now and run them; the number claimed."""
        now = SYSTEM_CLOCK.now()
        async with self.db.system_unit_of_work(write=True) as uow:
            lease = now + timedelta(seconds=self.settings.scheduler_lease_seconds)
            claimed = await uow.job_claims.claim(now, BATCH, lease)
            await uow.commit()
        for job in claimed:
            await self._run(job)
        return len(claimed)

    async def _run(self, job: Job) -> None:
        handler = HANDLERS.get(job.kind)
        try:
            async with self.db.unit_of_work(job.organization_id, write=True) as uow:
                lock = LOCKS.get(job.kind)
                if lock is not None:
                    await lock(uow, job)
                if not await uow.jobs.hold(job):
                    return  # moved, cancelled, or taken by another worker since the claim
                again_at = None if handler is None else await handler(uow, SYSTEM_CLOCK, job)
                await uow.jobs.finish(job, again_at)
                await uow.commit()
            self.ran += 1
        except Exception:  # one job's failure is not the scheduler's: the lease brings it back
            log.exception("job_failed", job_id=job.id, kind=job.kind)
