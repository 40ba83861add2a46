"""Timed jobs: work the worker does at a given time, exactly once across worker processes and restarts
(app/worker/scheduler.py claims them; app/repo/jobs.py keeps them). A job names its kind and its subject;
an organization has at most one job per (kind, subject), which a change moves rather than duplicates.
Each kind's handler runs in the organization's own unit of work, with the job's completion: either both
happen or neither does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.domain.ports import Clock, UnitOfWork


@dataclass(frozen=True)
class Job:
    id: str
    organization_id: str
    kind: str
    subject_id: str
    due_at: datetime
    version: int = 1


# A handler does the job's work and answers when the job is due again (None: the job is done).
Handler = Callable[["UnitOfWork", "Clock", Job], Awaitable[datetime | None]]
SYSTEM_ACTOR = {"type": "scheduler", "id": "liaison"}
