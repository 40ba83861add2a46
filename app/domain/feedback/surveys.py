"""Surveys: opened and closed at their times (the scheduler, or the first request after the time), the
audience resolved to people when the survey opens (each grouped under the audience unit that holds their
primary membership), one response per person (a keyed hash under the survey's own key: app/domain/feedback/
anonymity.py), and results that suppress small groups and the next-smallest beside them.

Results are live, under the thresholds: a group or a question answered by fewer than `min_group_size`
people shows no figure. What thresholds cannot stop is differencing over time (results read just before and
just after one response); the README says so."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from app.domain.changes import check_refs, check_version, ensure_external_refs_free, refuse_nulls, refuse_read_only
from app.domain.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from app.domain.feedback.anonymity import day_start, forget, mark_of, today_in
from app.domain.feedback.model import (
    SURVEY_DEFAULTS,
    SURVEY_FIELDS,
    SURVEY_WRITABLE,
    SURVEY_WRITABLE_OPEN,
    Survey,
    SurveyResponse,
    check_answers,
    check_survey,
)
from app.domain.feedback.results import results
from app.domain.feedback.service import READ, WRITE, FeedbackBase
from app.domain.fields import stored
from app.domain.ids import new_id, timeless_id
from app.domain.model import ListQuery, Page
from app.domain.patch import patched

OPEN_JOB, CLOSE_JOB = "survey.open", "survey.close"


class SurveyUseCases(FeedbackBase):
    async def get_survey(self, survey_id: str) -> Survey:
        self._org(READ)
        return await self._counted(await self._survey(survey_id))

    async def list_surveys(self, query: ListQuery) -> Page[Survey]:
        self._org(READ)
        page = await self.uow.surveys.list(query)
        counts = await self.uow.survey_responses.counts([s.id for s in page.items])
        return Page([replace(s, responses=counts.get(s.id, 0)) for s in page.items], page.next_after)

    async def create_survey(self, fields: dict[str, Any]) -> Survey:
        self._org(WRITE)
        fields = {**SURVEY_DEFAULTS, **{k: v for k, v in fields.items() if v is not None}}
        check_survey(fields, creating=True)
        await check_refs(self.uow, fields, {"audience_unit_ids": "unit", "about_unit_id": "unit"})
        await ensure_external_refs_free(self.uow.surveys, fields["external_refs"], None)
        now = self.clock.now()
        if fields["closes_at"] <= now:
            raise Invalid("A survey closes in the future.", [FieldError("/closes_at", "must be in the future")])
        survey = self._new(Survey, "srv", **stored(fields, SURVEY_FIELDS))
        await self._add(self.uow.surveys, survey, "survey.created")
        await self.uow.jobs.schedule(CLOSE_JOB, survey.id, survey.closes_at)
        if survey.opens_at <= now:
            survey = await self.open_survey(survey)
        else:
            await self.uow.jobs.schedule(OPEN_JOB, survey.id, survey.opens_at)
        return await self._counted(survey)

    async def update_survey(self, survey_id: str, patch: dict[str, Any], expected_version: int | None = None) -> Survey:
        self._org(WRITE)
        survey = await self._survey(survey_id, for_update=True)
        check_version(survey, expected_version)
        if survey.status == "closed":
            raise Conflict(f"{survey_id} is closed; it no longer changes.")
        refuse_read_only(patch, SURVEY_WRITABLE if survey.status == "scheduled" else SURVEY_WRITABLE_OPEN)
        refuse_nulls(patch, SURVEY_FIELDS)
        merged = patched(survey, patch, SURVEY_WRITABLE)
        check_survey(merged, creating=False)
        if merged["closes_at"] <= self.clock.now():
            raise Invalid("A survey closes in the future.", [FieldError("/closes_at", "must be in the future")])
        await check_refs(self.uow, merged, {"audience_unit_ids": "unit", "about_unit_id": "unit"}, survey)
        await ensure_external_refs_free(self.uow.surveys, merged["external_refs"], survey.id, survey.external_refs)
        # last: every other answer to the change is the same whether or not someone has answered
        if "anonymous" in patch and patch["anonymous"] != survey.anonymous and await self._any_response(survey):
            raise Conflict(
                f"{survey_id} has responses: whether it is anonymous was promised to those who answered.",
                field="/anonymous",
            )
        changed = replace(survey, **stored(merged, SURVEY_FIELDS, patch))
        previous = await self._save_changes(self.uow.surveys, survey, changed)
        if not previous:
            return await self._counted(survey)
        self._record("survey.updated", changed.resource(), previous)
        await self.uow.jobs.schedule(CLOSE_JOB, changed.id, changed.closes_at)
        if changed.status == "scheduled":
            if changed.opens_at <= self.clock.now():
                changed = await self.open_survey(changed)
            else:
                await self.uow.jobs.schedule(OPEN_JOB, changed.id, changed.opens_at)
        return await self._counted(changed)

    async def delete_survey(self, survey_id: str, expected_version: int | None = None) -> None:
        """A survey nobody answered; one with responses is a record (409)."""
        self._org(WRITE)
        survey = await self._survey(survey_id, for_update=True)
        check_version(survey, expected_version)
        if await self._any_response(survey):
            raise Conflict(f"{survey_id} has responses, which are a record; close it instead.")
        for job in (OPEN_JOB, CLOSE_JOB):
            await self.uow.jobs.cancel(job, survey.id)
        await forget(self.uow, _scope(survey.id))
        await self.uow.surveys.delete(survey)
        self._record("survey.deleted", survey.resource())

    async def open_survey(self, survey: Survey) -> Survey:
        """The audience resolved now: the people whose primary membership, running today, is in an audience
        unit or below it, each grouped under the nearest audience unit above their unit."""
        today = self.clock.now().date()
        group_of_unit: dict[str, tuple[int, str]] = {}
        for audience_unit in survey.audience_unit_ids:
            group_of_unit[audience_unit] = (0, audience_unit)
            for unit, depth in await self.uow.units.descendants(audience_unit, None):
                if unit.id not in group_of_unit or group_of_unit[unit.id][0] > depth:
                    group_of_unit[unit.id] = (depth, audience_unit)
        memberships = await self.uow.memberships.of_units(sorted(group_of_unit))
        primary = {m.person_id: m.unit_id for m in memberships if m.primary and m.active_on(today)}
        active = {p.id for p in await self.uow.people.get_many(sorted(primary)) if p.status == "active"}
        groups = {p: group_of_unit[u][1] for p, u in primary.items() if p in active}
        await self.uow.survey_responses.add_audience(survey.id, groups)
        opened = replace(survey, status="open", audience_size=len(groups))
        opened.touch(self.clock.now())
        await self.uow.surveys.save(opened, expected_version=survey.version)
        self._record("survey.opened", opened.resource(), {"status": survey.status, "audience_size": 0})
        await self.uow.jobs.cancel(OPEN_JOB, survey.id)
        return opened

    async def close_survey(self, survey: Survey) -> Survey:
        """Closed: no more responses, and the survey's key and marks deleted."""
        closed = replace(survey, status="closed")
        closed.touch(self.clock.now())
        await self.uow.surveys.save(closed, expected_version=survey.version)
        await forget(self.uow, _scope(survey.id))
        self._record("survey.closed", closed.resource(), {"status": survey.status})
        await self.uow.jobs.cancel(CLOSE_JOB, survey.id)
        return closed

    async def respond(self, survey_id: str, answers: Any) -> dict[str, Any]:
        """One response per person (409 on a second, anonymous or not), from a person of the audience,
        while the survey is open. The answer shows what was recorded, and nothing that dates it finer than
        the day."""
        org = self._org(WRITE)
        survey = await self._survey(survey_id, for_update=True)
        me = self.principal.person_id
        if me is None:
            raise Forbidden("A response is a person's: use a token that acts as one (`person` claim).")
        now = self.clock.now()
        if now >= survey.closes_at or survey.status == "closed":
            raise Conflict(f"{survey_id} is closed.")
        if survey.status == "scheduled":
            # Not opened by a response: its `survey.opened` and new version would date the first one.
            raise Conflict(f"{survey_id} is not open yet (it opens at {survey.opens_at.isoformat()}); try again.")
        group = await self.uow.survey_responses.group_of(survey.id, me)
        if group is None:
            raise Forbidden(f"You are not in the audience of {survey_id} (resolved when it opened).")
        checked = check_answers(answers, survey.questions)
        mark = await mark_of(self.uow, _scope(survey.id), survey.closes_at, me)
        if await self.uow.anonymity.bump(_scope(survey.id), mark) > 1:
            raise Conflict(f"You already answered {survey_id}.")
        zone = await self.time_zone()
        day = today_in(zone, now)
        when = day_start(day, zone) if survey.anonymous else now
        response = SurveyResponse(
            id=timeless_id("srr") if survey.anonymous else new_id("srr"),
            organization_id=org,
            created_at=when,
            updated_at=when,
            survey_id=survey.id,
            group_unit_id=group,
            answers=checked,
            created_on=day,
            respondent_person_id=None if survey.anonymous else me,
        )
        await self.uow.survey_responses.add(response)
        shown = {"id": response.id, "survey_id": survey.id, "created_on": day.isoformat()}
        if survey.anonymous:
            from app.domain.feedback.anonymity import RELEASE_JOB, RELEASE_SUBJECT, day_end

            release = day_end(day, zone)
            self._hold("survey.response_added", shown, release)
            await self.uow.jobs.schedule(RELEASE_JOB, RELEASE_SUBJECT, release)
        else:
            self._record("survey.response_added", {**shown, "respondent_person_id": me})
        return shown

    async def is_anonymous_survey(self, survey_id: str) -> bool:
        """Whether a response's Idempotency-Key record must name a keyed hash (for the caller who answers)."""
        self._org(WRITE)
        return (await self._survey(survey_id)).anonymous

    async def survey_results(self, survey_id: str, group_by: str) -> dict[str, Any]:
        self._org(READ)
        if group_by not in ("unit", "question"):
            raise Invalid("`group_by` is unit or question.", [FieldError("/group_by", "must be unit or question")])
        survey = await self._survey(survey_id)
        return results(survey, await self.uow.survey_responses.of_survey(survey.id), group_by)

    async def _counted(self, survey: Survey) -> Survey:
        counts = await self.uow.survey_responses.counts([survey.id])
        return replace(survey, responses=counts.get(survey.id, 0))

    async def _any_response(self, survey: Survey) -> bool:
        return bool(await self.uow.survey_responses.of_survey(survey.id))

    async def _survey(self, survey_id: str, *, for_update: bool = False) -> Survey:
        found = await self.uow.surveys.get(survey_id, for_update=for_update)
        if found is None:
            raise NotFound(f"No survey {survey_id}.")
        return found


def _scope(survey_id: str) -> str:
    return f"survey:{survey_id}"


__all__ = ["CLOSE_JOB", "OPEN_JOB", "SurveyUseCases", "datetime"]
