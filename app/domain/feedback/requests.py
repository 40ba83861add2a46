"""Feedback requests: ask named people for feedback about a subject by a date. Each respondent's answer is
feedback that names the request; the request shows how many answered (anonymous answers once their day has
ended, so that the count does not date them), and by name only those who answered by name.
`feedback_request.due` once when the date passes with someone yet to answer."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.domain.changes import check_refs, check_version, ensure_external_refs_free, refuse_nulls, refuse_read_only
from app.domain.errors import Conflict, ErrorList, FieldError, Invalid, NotFound
from app.domain.feedback.anonymity import forget, today_in
from app.domain.feedback.model import (
    REQUEST_DEFAULTS,
    REQUEST_FIELDS,
    REQUEST_WRITABLE,
    FeedbackRequest,
    check_request,
)
from app.domain.feedback.service import READ, WRITE, FeedbackBase
from app.domain.fields import stored
from app.domain.model import ListQuery, Page
from app.domain.patch import patched

DUE_JOB = "feedback_request.due"


class RequestUseCases(FeedbackBase):
    async def get_feedback_request(self, request_id: str) -> FeedbackRequest:
        self._org(READ)
        return await self._tallied(await self._request(request_id))

    async def list_feedback_requests(self, query: ListQuery) -> Page[FeedbackRequest]:
        self._org(READ)
        page = await self.uow.feedback_requests.list(query)
        return Page(await self._tallied_all(page.items), page.next_after)

    async def create_feedback_request(self, fields: dict[str, Any]) -> FeedbackRequest:
        self._org(WRITE)
        fields = {**REQUEST_DEFAULTS, **{k: v for k, v in fields.items() if v is not None}}
        fields.setdefault("requester_person_id", self.principal.person_id)
        if fields.get("requester_person_id") is None:
            raise Invalid(
                "Who asks: `requester_person_id`, or a token that acts as a person.",
                [FieldError("/requester_person_id", "is required", "required")],
            )
        check_request(fields, creating=True)
        await check_refs(self.uow, fields, {"requester_person_id": "person", "respondent_person_ids": "person"})
        errors = ErrorList()
        await self._check_subject(fields, errors)
        errors.raise_if_any()
        now = self.clock.now()
        if fields["due_at"] <= now:
            raise Invalid("A request is due in the future.", [FieldError("/due_at", "must be in the future")])
        await ensure_external_refs_free(self.uow.feedback_requests, fields["external_refs"], None)
        request = self._new(
            FeedbackRequest,
            "fbr",
            **stored(fields, REQUEST_FIELDS),
        )
        await self._add(self.uow.feedback_requests, request, "feedback_request.created")
        await self.uow.jobs.schedule(DUE_JOB, request.id, request.due_at)
        return request

    async def update_feedback_request(
        self, request_id: str, patch: dict[str, Any], expected_version: int | None = None
    ) -> FeedbackRequest:
        self._org(WRITE)
        refuse_read_only(patch, REQUEST_WRITABLE)
        refuse_nulls(patch, REQUEST_FIELDS)
        request = await self._request(request_id, for_update=True)
        check_version(request, expected_version)
        if request.status == "due":
            raise Conflict(f"{request_id} is due; it no longer changes.")
        merged = patched(request, patch, REQUEST_WRITABLE)
        check_request(merged, creating=False)
        if merged["due_at"] <= self.clock.now():
            raise Invalid("A request is due in the future.", [FieldError("/due_at", "must be in the future")])
        await ensure_external_refs_free(
            self.uow.feedback_requests, merged["external_refs"], request.id, request.external_refs
        )
        changed = replace(request, **merged)
        previous = await self._save_changes(self.uow.feedback_requests, request, changed)
        if not previous:
            return await self._tallied(request)
        self._record("feedback_request.updated", changed.resource(), previous)
        await self.uow.jobs.schedule(DUE_JOB, changed.id, changed.due_at)
        return await self._tallied(changed)

    async def delete_feedback_request(self, request_id: str, expected_version: int | None = None) -> None:
        """A request nobody answered; one with answers is a record (409)."""
        self._org(WRITE)
        request = await self._request(request_id, for_update=True)
        check_version(request, expected_version)
        if await self.uow.feedback.in_column("request_id", [request_id]):
            raise Conflict(f"{request_id} has answers, which are a record.")
        await self.uow.jobs.cancel(DUE_JOB, request.id)
        await forget(self.uow, f"request:{request.id}")
        await self.uow.feedback_requests.delete(request)
        self._record("feedback_request.deleted", request.resource())

    async def fall_due(self, request: FeedbackRequest) -> None:
        """The date passed: anonymous answers end (the request's key goes), and if someone is yet to answer,
        `feedback_request.due`, once."""
        tallied = await self._tallied(request, everything=True)
        await forget(self.uow, f"request:{request.id}")
        if tallied.answers >= len(request.respondent_person_ids):
            return
        changed = replace(request, status="due")
        changed.touch(self.clock.now())
        await self.uow.feedback_requests.save(changed, expected_version=request.version)
        self._record("feedback_request.due", (await self._tallied(changed)).resource(), {"status": request.status})

    async def _tallied(self, request: FeedbackRequest, *, everything: bool = False) -> FeedbackRequest:
        return (await self._tallied_all([request], everything=everything))[0]

    async def _tallied_all(self, requests: list[FeedbackRequest], *, everything: bool = False) -> list[FeedbackRequest]:
        """The requests with their answers counted now (one read for all of them): named answers at once,
        anonymous ones once their day has ended (or all of them, for the scheduler's own decision)."""
        answers: dict[str, list[Any]] = {}
        for f in await self.uow.feedback.in_column("request_id", [r.id for r in requests]):
            answers.setdefault(f.request_id or "", []).append(f)
        today = today_in(await self.time_zone(), self.clock.now())
        out = []
        for request in requests:
            mine = answers.get(request.id, [])
            counted = [f for f in mine if everything or not f.anonymous or f.created_on < today]
            named = sorted({f.author_person_id for f in mine if f.author_person_id})
            status = request.status
            if status == "open" and len(counted) >= len(request.respondent_person_ids):
                status = "fulfilled"
            out.append(replace(request, answers=len(counted), answered_person_ids=named, status=status))
        return out

    async def _request(self, request_id: str, *, for_update: bool = False) -> FeedbackRequest:
        found = await self.uow.feedback_requests.get(request_id, for_update=for_update)
        if found is None:
            raise NotFound(f"No feedback request {request_id}.")
        return found
