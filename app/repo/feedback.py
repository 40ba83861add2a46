"""Feedback, feedback requests, surveys, their audience and responses, and the keys and marks of anonymity,
on SQL."""

from __future__ import annotations

import os
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, Table, and_, bindparam, delete, false, func, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from app.domain.feedback.model import Feedback, FeedbackRequest, Reader, Survey, SurveyResponse
from app.domain.model import ListQuery, Page
from app.repo.repositories import Shape, SqlRepository, paged, shape, table
from app.repo.sql import ORG, Sql, any_of, org_criterion
from app.repo.tables import (
    AnonymityKeyRow,
    AnonymityMarkRow,
    FeedbackRequestRow,
    FeedbackRow,
    SurveyAudienceRow,
    SurveyResponseRow,
    SurveyRow,
)

FILTERS = ("recipient_person_id", "recipient_unit_id", "subject_id", "kind", "request_id", "visibility")


def _visible_to(t: Table, reader: Reader) -> Any:
    """Public feedback; for a person, also what they received or wrote (by name), what their units
    received, and with `manager` visibility what the people below them (and their units) received."""
    cond = t.c.visibility == "public"
    if reader.person_id is None:
        return cond
    mine = or_(
        t.c.recipient_person_id == bindparam("_me"),
        t.c.author_person_id == bindparam("_me"),
        any_of(t.c.recipient_unit_id, "_led") if reader.led_units else false(),
    )
    below = (
        and_(
            t.c.visibility == "manager",
            or_(
                any_of(t.c.recipient_person_id, "_reports") if reader.reports else false(),
                any_of(t.c.recipient_unit_id, "_reports_units") if reader.reports_units else false(),
            ),
        )
        if reader.reports or reader.reports_units
        else false()
    )
    return or_(cond, mine, below)


class FeedbackRepository(SqlRepository[Feedback]):
    row = FeedbackRow
    entity = Feedback
    collection = "feedback"

    async def visible(self, query: ListQuery, reader: Reader, today: date) -> Page[Feedback]:
        """What `reader` may read; an anonymous item once its day (before `today`) has ended."""
        if query.external_ref is not None:
            return Page(items=[], next_after=None)  # feedback carries no external refs
        s = self.shape
        released = or_(s.t.c.anonymous.is_(False), s.t.c.created_on < bindparam("_today", type_=s.t.c.created_on.type))
        stmt = (
            s.select()
            .where(_visible_to(s.t, reader), released)
            .order_by(s.t.c.id)
            .limit(bindparam("_limit", type_=Integer()))
        )
        params: dict[str, Any] = {"_limit": query.limit + 1, "_today": today}
        if query.after:
            stmt = stmt.where(s.t.c.id > bindparam("_after"))
            params["_after"] = query.after
        if query.updated_since is not None:
            stmt = stmt.where(s.t.c.updated_at >= bindparam("_since", type_=s.t.c.updated_at.type))
            params["_since"] = query.updated_since
        for name, value in sorted(query.filters.items()):
            if name in FILTERS:
                stmt = stmt.where(s.t.c[name] == bindparam("f_" + name))
                params["f_" + name] = value
        params.update(
            {"_me": reader.person_id, "_led": reader.led_units, "_reports": reader.reports}
            | {"_reports_units": reader.reports_units}
        )
        rows = await self.sql.rows(stmt, {k: v for k, v in params.items() if v is not None})
        return paged(rows, query.limit, self.to_entity, lambda r: str(r[self._names.index("id")]))


class FeedbackRequestRepository(SqlRepository[FeedbackRequest]):
    row = FeedbackRequestRow
    entity = FeedbackRequest
    collection = "feedback_requests"


class SurveyRepository(SqlRepository[Survey]):
    row = SurveyRow
    entity = Survey
    collection = "surveys"


_AUD = table(SurveyAudienceRow)
AUDIENCE_ADD = insert(_AUD).values(
    organization_id=bindparam(ORG),
    survey_id=bindparam("survey_id"),
    person_id=bindparam("person_id"),
    group_unit_id=bindparam("group_unit_id"),
)
AUDIENCE_OF = select(_AUD.c.group_unit_id).where(
    org_criterion(_AUD), _AUD.c.survey_id == bindparam("survey_id"), _AUD.c.person_id == bindparam("person_id")
)
_RESP = table(SurveyResponseRow)
RESPONSE_COUNTS = (
    select(_RESP.c.survey_id, func.count())
    .where(org_criterion(_RESP), any_of(_RESP.c.survey_id, "ids"))
    .group_by(_RESP.c.survey_id)
)


@cache
def _responses() -> Shape:
    return shape(SurveyResponseRow, SurveyResponse, "survey_responses")


class SurveyResponses:
    """A survey's audience (resolved when it opened) and its responses."""

    def __init__(self, sql: Sql, organization_id: str) -> None:
        self.sql, self.organization_id = sql, organization_id

    async def add_audience(self, survey_id: str, groups: dict[str, str]) -> None:
        rows = [{"survey_id": survey_id, "person_id": p, "group_unit_id": g} for p, g in sorted(groups.items())]
        for start in range(0, len(rows), 2000):
            await self.sql.run_many(AUDIENCE_ADD, rows[start : start + 2000])

    async def group_of(self, survey_id: str, person_id: str) -> str | None:
        found = await self.sql.scalar(AUDIENCE_OF, {"survey_id": survey_id, "person_id": person_id})
        return None if found is None else str(found)

    async def add(self, response: SurveyResponse) -> None:
        s = _responses()
        values = {n: getattr(response, n) for n in s.names if n != "organization_id"}
        await self.sql.run(
            insert(s.t).values(organization_id=bindparam(ORG), **{k: bindparam(k) for k in values}), values
        )

    async def counts(self, survey_ids: list[str]) -> dict[str, int]:
        """How many responses each survey has, in one statement."""
        if not survey_ids:
            return {}
        return {str(s): int(n) for s, n in await self.sql.rows(RESPONSE_COUNTS, {"ids": survey_ids})}

    async def of_survey(self, survey_id: str) -> list[SurveyResponse]:
        s = _responses()
        stmt = s.select().where(s.t.c.survey_id == bindparam("survey_id")).order_by(s.t.c.id)
        return [
            SurveyResponse(**dict(zip(s.names, r, strict=True)))
            for r in await self.sql.rows(stmt, {"survey_id": survey_id})
        ]


_KEYS = table(AnonymityKeyRow)
_MARKS = table(AnonymityMarkRow)
KEY_GET = select(_KEYS.c.secret).where(org_criterion(_KEYS), _KEYS.c.scope == bindparam("scope"))
_KEY_VALUES = {
    "organization_id": bindparam(ORG),
    "scope": bindparam("scope"),
    "secret": bindparam("secret", type_=_KEYS.c.secret.type),
    "expires_at": bindparam("expires_at", type_=_KEYS.c.expires_at.type),
}
KEY_ADD = {
    "postgresql": postgresql.insert(_KEYS).values(_KEY_VALUES).on_conflict_do_nothing(),
    "sqlite": sqlite.insert(_KEYS).values(_KEY_VALUES).on_conflict_do_nothing(),
}
_MARK_VALUES = {"organization_id": bindparam(ORG), "scope": bindparam("scope"), "mark": bindparam("mark"), "count": 1}
MARK_BUMP = {
    "postgresql": postgresql.insert(_MARKS)
    .values(_MARK_VALUES)
    .on_conflict_do_update(index_elements=["organization_id", "scope", "mark"], set_={"count": _MARKS.c.count + 1})
    .returning(_MARKS.c.count),
    "sqlite": sqlite.insert(_MARKS)
    .values(_MARK_VALUES)
    .on_conflict_do_update(index_elements=["organization_id", "scope", "mark"], set_={"count": _MARKS.c.count + 1})
    .returning(_MARKS.c.count),
}
KEYS_DROP = delete(_KEYS).where(org_criterion(_KEYS), _KEYS.c.scope == bindparam("scope"))
MARKS_DROP = delete(_MARKS).where(org_criterion(_MARKS), _MARKS.c.scope == bindparam("scope"))
EXPIRED = select(_KEYS.c.scope).where(
    org_criterion(_KEYS), _KEYS.c.expires_at <= bindparam("now", type_=_KEYS.c.expires_at.type)
)


class AnonymityStore:
    """Keys of scopes (a survey, a request, a day) and the marks made with them."""

    def __init__(self, sql: Sql, organization_id: str) -> None:
        self.sql, self.organization_id = sql, organization_id

    def _dialect(self) -> str:
        return "sqlite" if self.sql.sqlite else "postgresql"

    async def key(self, scope: str, expires_at: datetime) -> bytes:
        found = await self.sql.scalar(KEY_GET, {"scope": scope})
        if found is None:
            params = {"scope": scope, "secret": os.urandom(32), "expires_at": expires_at}
            await self.sql.run(KEY_ADD[self._dialect()], params)
            found = await self.sql.scalar(KEY_GET, {"scope": scope})
        return bytes(found)

    async def bump(self, scope: str, mark: str) -> int:
        """The mark made once more: how many times it has been made in the scope."""
        return int(await self.sql.scalar(MARK_BUMP[self._dialect()], {"scope": scope, "mark": mark}))

    async def drop(self, scope: str) -> None:
        await self.sql.run(MARKS_DROP, {"scope": scope})
        await self.sql.run(KEYS_DROP, {"scope": scope})

    async def expired(self, now: datetime) -> list[str]:
        return [str(r[0]) for r in await self.sql.rows(EXPIRED, {"now": now})]
