"""The scheduler's work for feedback: surveys open and close at their times, requests fall due, and the
events of anonymous items are released after their day ends (in a random order, under ids of that moment),
with the keys whose time has come deleted."""

from __future__ import annotations

import secrets
from datetime import datetime

from app.domain.events import Event
from app.domain.feedback.facade import Feedbacks
from app.domain.feedback.service import ANONYMOUS_ACTOR, WRITE
from app.domain.ids import new_id
from app.domain.jobs import SYSTEM_ACTOR, Job
from app.domain.ports import Clock, UnitOfWork
from app.domain.principal import Principal


def _service(uow: UnitOfWork, clock: Clock, job: Job) -> Feedbacks:
    scheduler = Principal(subject="scheduler", organization_id=job.organization_id, scopes=frozenset({WRITE}))
    return Feedbacks(uow, scheduler, clock, actor=SYSTEM_ACTOR)


async def open_survey(uow: UnitOfWork, clock: Clock, job: Job) -> datetime | None:
    survey = await uow.surveys.get(job.subject_id, for_update=True)
    if survey is not None and survey.status == "scheduled":
        await _service(uow, clock, job).open_survey(survey)
    return None


async def close_survey(uow: UnitOfWork, clock: Clock, job: Job) -> datetime | None:
    survey = await uow.surveys.get(job.subject_id, for_update=True)
    if survey is None or survey.status == "closed":
        return None
    if survey.closes_at > clock.now():
        return survey.closes_at
    if survey.status == "scheduled":
        survey = await _service(uow, clock, job).open_survey(survey)
    await _service(uow, clock, job).close_survey(survey)
    return None


async def request_due(uow: UnitOfWork, clock: Clock, job: Job) -> datetime | None:
    request = await uow.feedback_requests.get(job.subject_id, for_update=True)
    if request is None or request.status == "due":
        return None
    if request.due_at > clock.now():
        return request.due_at
    await _service(uow, clock, job).fall_due(request)
    return None


async def release_held(uow: UnitOfWork, clock: Clock, job: Job) -> datetime | None:
    """The held events due now, released in a random order under ids of this moment, their actor
    `anonymous`; the keys whose scope has ended, deleted with their marks."""
    now = clock.now()
    held, following = await uow.events.take_held(now)
    shuffled = list(held)
    secrets.SystemRandom().shuffle(shuffled)
    for event_type, data in shuffled:
        details = {k: v for k, v in data.items() if k not in ("object", "previous_attributes")}
        uow.record(
            Event(
                id=new_id("evt"),
                type=event_type,
                organization_id=job.organization_id,
                occurred_at=now,
                actor=ANONYMOUS_ACTOR,
                object=data.get("object", {}),
                previous_attributes=data.get("previous_attributes", {}),
                details=details,
            )
        )
    for scope in await uow.anonymity.expired(now):
        if scope.startswith("day:"):  # a survey's or a request's key goes when it closes or falls due
            await uow.anonymity.drop(scope)
    return following
