"""Feedback: given to a person or a unit, read under the visibility rules, anonymous by construction
(app/domain/feedback/anonymity.py). REST and GraphQL both call these; the rules of who reads what are here
and nowhere else.

Who reads feedback: `public`, the whole organization (with feedback:read); `manager`, the recipient (for a
unit, its lead), the recipient's management chain and the author when known; `private`, the recipient and
the author when known. A token that acts as no person (an integration, an admin) reads public feedback only.
Feedback that the caller may not read answers 404, like feedback that does not exist."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from app.domain.changes import check_refs, record
from app.domain.errors import Conflict, ErrorList, FieldError, Forbidden, Invalid, NotFound, RateLimited
from app.domain.events import Event
from app.domain.feedback.anonymity import (
    ANONYMOUS_DAILY_LIMIT,
    RELEASE_JOB,
    RELEASE_SUBJECT,
    day_end,
    day_scope,
    day_start,
    mark_of,
    today_in,
)
from app.domain.feedback.model import (
    FEEDBACK_DEFAULTS,
    FEEDBACK_FIELDS,
    Feedback,
    FeedbackRequest,
    Reader,
    check_feedback,
)
from app.domain.fields import stored
from app.domain.ids import timeless_id
from app.domain.model import ListQuery, Page
from app.domain.usecases import UseCases

READ, WRITE = "feedback:read", "feedback:write"
ANONYMOUS_ACTOR = {"type": "anonymous"}
WITHHELD = {"type": "withheld"}  # the actor of events of feedback that is not public
SUBJECT_REPOSITORY = {"objective": "objectives", "key_result": "key_results", "handoff": "handoffs", "unit": "units"}
# What an event of feedback that is not public shows: never its body.
EVENT_FIELDS = (
    "id",
    "kind",
    "recipient_person_id",
    "recipient_unit_id",
    "subject_type",
    "subject_id",
    "visibility",
    "anonymous",
    "request_id",
    "created_on",
    "created_at",
)


class FeedbackBase(UseCases):
    async def _reader(self) -> Reader:
        """Whom the caller reads for: its person, the units they lead, everyone below them and the units
        those people lead (a fixed number of statements)."""
        me = self.principal.person_id
        if me is None:
            return Reader(None)
        led = [u.id for u in await self.uow.units.in_column("lead_person_id", [me])]
        reports = [p.id for p in await self.uow.people.reports(me, True)]
        reports_units = [u.id for u in await self.uow.units.in_column("lead_person_id", reports)] if reports else []
        return Reader(me, led, reports, reports_units)

    async def _today(self) -> date:
        return today_in(await self.time_zone(), self.clock.now())

    async def _check_subject(self, fields: dict[str, Any], errors: ErrorList) -> None:
        kind, subject = fields.get("subject_type"), fields.get("subject_id")
        if kind and subject and await getattr(self.uow, SUBJECT_REPOSITORY[kind]).get(subject) is None:
            errors.add("/subject_id", "no such object in this organization", "not_found")

    def _hold(self, event_type: str, obj: dict[str, Any], release_after: datetime) -> None:
        """An anonymous item's event: no actor, held until `release_after` (its day's end)."""
        self.uow.record(
            Event(
                id=timeless_id("evt"),  # held: its id must not date it either
                type=event_type,
                organization_id=self.principal.require_organization(),
                occurred_at=release_after,
                actor=ANONYMOUS_ACTOR,
                object=obj,
                release_after=release_after,
            )
        )


def event_object(f: Feedback) -> dict[str, Any]:
    """What the events of a feedback item show: all of public feedback, never the body of the rest."""
    shown = f.resource()
    return shown if f.visibility == "public" else {k: shown[k] for k in EVENT_FIELDS}


class FeedbackUseCases(FeedbackBase):
    async def get_feedback(self, feedback_id: str) -> Feedback:
        self._org(READ)
        found = await self.uow.feedback.get(feedback_id)
        if found is None or not readable(found, await self._reader(), await self._today()):
            raise NotFound(f"No feedback {feedback_id}.")
        return found

    async def list_feedback(self, query: ListQuery) -> Page[Feedback]:
        from app.domain.feedback.model import KINDS, VISIBILITIES

        self._org(READ)
        errors = ErrorList()
        for name, choices in (("kind", KINDS), ("visibility", VISIBILITIES)):
            if name in query.filters and query.filters[name] not in choices:
                errors.add(f"/{name}", f"must be one of: {', '.join(choices)}")
        errors.raise_if_any("The filters are invalid.")
        return await self.uow.feedback.visible(query, await self._reader(), await self._today())

    async def create_feedback(self, fields: dict[str, Any]) -> Feedback:
        org = self._org(WRITE)
        fields = {**FEEDBACK_DEFAULTS, **{k: v for k, v in fields.items() if v is not None}}
        check_feedback(fields)
        me = self.principal.person_id
        if fields["anonymous"] and me is None:
            raise Invalid(
                "Anonymous feedback is given by a person: use a token that acts as one (`person` claim).",
                [FieldError("/anonymous", "needs a token that acts as a person")],
            )
        await check_refs(self.uow, fields, {"recipient_person_id": "person", "recipient_unit_id": "unit"})
        errors = ErrorList()
        await self._check_subject(fields, errors)
        request = await self._request_answered(fields, errors)
        errors.raise_if_any()
        now, zone = self.clock.now(), await self.time_zone()
        day = today_in(zone, now)
        values = stored(fields, FEEDBACK_FIELDS)
        if fields["anonymous"]:
            assert me is not None
            await self._within_daily_limit(me, day, zone)
            if request is not None:
                await self._answer_once(request, me)
            start = day_start(day, zone)
            feedback = Feedback(
                id=timeless_id("fb"), organization_id=org, created_at=start, updated_at=start, created_on=day, **values
            )
            await self.uow.feedback.add(feedback)
            release = day_end(day, zone)
            self._hold("feedback.created", event_object(feedback), release)
            await self.uow.jobs.schedule(RELEASE_JOB, RELEASE_SUBJECT, release)
            return feedback
        if request is not None and me in await self._named_answers(request.id):
            raise Conflict(f"{me} already answered {request.id}.", field="/request_id")
        feedback = self._new(Feedback, "fb", created_on=day, author_person_id=me, author=self.principal.actor, **values)
        await self.uow.feedback.add(feedback)
        if feedback.visibility == "public":
            self._record("feedback.created", event_object(feedback))
        else:  # who gave it is for the recipient (and the chain) to read, not for the event log's readers
            record(
                self.uow, self.principal, self.clock, "feedback.created", event_object(feedback), org, None, WITHHELD
            )
        return feedback

    async def anonymous_client(self, operation: str) -> tuple[str, datetime]:
        """What the idempotency record of an anonymous create names instead of the token: a keyed hash of the
        token and the operation under the day's key (two anonymous creates of one person are not linked by
        it); and the day's end, its only time (the record is kept 24 h after it)."""
        self._org(WRITE)
        now, zone = self.clock.now(), await self.time_zone()
        day = today_in(zone, now)
        who = f"idempotency:{operation}:{self.principal.client_id or self.principal.subject}"
        return "anonymous:" + await mark_of(self.uow, day_scope(day), day_end(day, zone), who), day_end(day, zone)

    async def _within_daily_limit(self, person_id: str, day: Any, zone: str) -> None:
        scope = day_scope(day)
        count = await self.uow.anonymity.bump(scope, await mark_of(self.uow, scope, day_end(day, zone), person_id))
        if count > ANONYMOUS_DAILY_LIMIT:
            seconds = int((day_end(day, zone) - self.clock.now()).total_seconds()) + 1
            raise RateLimited(
                f"At most {ANONYMOUS_DAILY_LIMIT} anonymous feedback items a day; try again tomorrow.", seconds
            )

    async def _request_answered(self, fields: dict[str, Any], errors: ErrorList) -> FeedbackRequest | None:
        """The request the feedback answers: the caller is one of its respondents, it is not due, and it
        takes anonymous answers if this one is."""
        request_id = fields.get("request_id")
        if request_id is None:
            return None
        request = await self.uow.feedback_requests.get(request_id, for_update=True)
        if request is None:
            errors.add("/request_id", "no such feedback request in this organization", "not_found")
            return None
        if self.principal.person_id not in request.respondent_person_ids:
            raise Forbidden(f"Only the people {request_id} asks may answer it (a token that acts as one of them).")
        if request.status == "due" and fields["anonymous"]:
            raise Conflict(f"{request_id} is due: it takes no more anonymous answers.", field="/request_id")
        if fields["anonymous"] and not request.allow_anonymous:
            errors.add("/anonymous", f"{request_id} takes answers by name only")
        if not fields["anonymous"] and request.allow_anonymous:
            # Named answers beside anonymous ones would leave the anonymous ones to the others asked.
            errors.add("/anonymous", f"{request_id} takes anonymous answers only")
        return request

    async def _answer_once(self, request: FeedbackRequest, person_id: str) -> None:
        scope = f"request:{request.id}"
        if await self.uow.anonymity.bump(scope, await mark_of(self.uow, scope, request.due_at, person_id)) > 1:
            raise Conflict(f"You already answered {request.id}.", field="/request_id")

    async def _named_answers(self, request_id: str) -> set[str]:
        answers = await self.uow.feedback.in_column("request_id", [request_id])
        return {f.author_person_id for f in answers if f.author_person_id}


def readable(f: Feedback, reader: Reader, today: date) -> bool:
    """The visibility rules on one item (the same as the list's SQL: app/repo/feedback.py). An anonymous
    item is read once its day has ended: no read within the day can tell when it came."""
    if f.anonymous and f.created_on >= today:
        return False
    if f.visibility == "public":
        return True
    me = reader.person_id
    if me is None:
        return False
    if me in (f.recipient_person_id, f.author_person_id) or f.recipient_unit_id in reader.led_units:
        return True
    return f.visibility == "manager" and (
        f.recipient_person_id in reader.reports or f.recipient_unit_id in reader.reports_units
    )
