"""Timed jobs on SQL (app/domain/jobs.py). An organization's `JobQueue` schedules, moves and cancels its
jobs; the worker's `JobClaims` (a system unit of work, across organizations) claims the due ones:
`FOR UPDATE SKIP LOCKED` on PostgreSQL, so that several workers share them, and a lease (`locked_until`)
with a new `version`. The job then runs in its organization's unit of work, which takes the job's row back
only at that version (`hold`) and ends or moves it (`finish`) in the same transaction as the job's work:
a worker that dies, or whose lease ran out and whose job another worker took, commits nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, bindparam, delete, insert, or_, select, update

from app.domain.ids import new_id
from app.domain.jobs import Job
from app.repo.repositories import table
from app.repo.sql import ORG, Sql, any_of, org_criterion
from app.repo.tables import ScheduledJobRow

T = table(ScheduledJobRow)
_AT = T.c.due_at.type
_COLUMNS = (T.c.id, T.c.organization_id, T.c.kind, T.c.subject_id, T.c.due_at, T.c.version)
_SUBJECT = (T.c.kind == bindparam("kind"), T.c.subject_id == bindparam("subject"))
GET = select(*_COLUMNS).where(org_criterion(T), *_SUBJECT)
MOVE = (
    update(T)
    .where(org_criterion(T), *_SUBJECT)
    .values(due_at=bindparam("due", type_=_AT), locked_until=None, version=T.c.version + 1)
)
ADD = insert(T).values(
    id=bindparam("id"),
    organization_id=bindparam(ORG),
    kind=bindparam("kind"),
    subject_id=bindparam("subject"),
    due_at=bindparam("due", type_=_AT),
    locked_until=None,
    version=1,
)
CANCEL = delete(T).where(org_criterion(T), *_SUBJECT)
_MINE = (T.c.id == bindparam("id"), T.c.version == bindparam("version", type_=Integer()))
HOLD = select(T.c.id).where(org_criterion(T), *_MINE).with_for_update()
FINISH = delete(T).where(org_criterion(T), *_MINE)
AGAIN = (
    update(T)
    .where(org_criterion(T), *_MINE)
    .values(due_at=bindparam("due", type_=_AT), locked_until=None, version=T.c.version + 1)
)
# The claim, across organizations (a system statement, unscoped on purpose).
DUE = (
    select(T.c.id)
    .where(
        T.c.due_at <= bindparam("now", type_=_AT),
        or_(T.c.locked_until.is_(None), T.c.locked_until < bindparam("now", type_=_AT)),
    )
    .order_by(T.c.due_at)
    .limit(bindparam("limit", type_=Integer()))
    .with_for_update(skip_locked=True)
)
LEASE = (
    update(T)
    .where(any_of(T.c.id, "ids"))
    .values(locked_until=bindparam("lease", type_=_AT), version=T.c.version + 1)
    .returning(*_COLUMNS)
)


def _job(r: Any) -> Job:
    return Job(id=r[0], organization_id=r[1], kind=r[2], subject_id=r[3], due_at=r[4], version=r[5])


class JobQueue:
    def __init__(self, sql: Sql, organization_id: str) -> None:
        self.sql, self.organization_id = sql, organization_id

    async def schedule(self, kind: str, subject_id: str, due_at: datetime) -> None:
        """Move the job if it exists, else add it. Callers hold the subject's row lock, so that two
        schedules of one subject do not race to add it (the unique key would refuse the second)."""
        params = {"kind": kind, "subject": subject_id, "due": due_at}
        if await self.sql.run(MOVE, params) == 0:
            await self.sql.run(ADD, {**params, "id": new_id("job")})

    async def cancel(self, kind: str, subject_id: str) -> None:
        await self.sql.run(CANCEL, {"kind": kind, "subject": subject_id})

    async def get(self, kind: str, subject_id: str) -> Job | None:
        found = await self.sql.row(GET, {"kind": kind, "subject": subject_id})
        return None if found is None else _job(found)

    async def hold(self, job: Job) -> bool:
        """Lock the job's row if it is still at the claimed version (not moved, cancelled or taken since)."""
        return await self.sql.row(HOLD, {"id": job.id, "version": job.version}) is not None

    async def finish(self, job: Job, again_at: datetime | None) -> None:
        params = {"id": job.id, "version": job.version}
        if again_at is None:
            await self.sql.run(FINISH, params)
        else:
            await self.sql.run(AGAIN, {**params, "due": again_at})


class JobClaims:
    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    async def claim(self, now: datetime, limit: int, lease: datetime) -> list[Job]:
        ids = [str(r[0]) for r in await self.sql.rows(DUE, {"now": now, "limit": limit})]
        if not ids:
            return []
        return [_job(r) for r in await self.sql.rows(LEASE, {"ids": ids, "lease": lease})]
