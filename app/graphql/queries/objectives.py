"""Root fields of shared objectives: objective, objectives, keyResult, keyResults, checkIn, checkIns."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Annotated

import strawberry

from app.domain.errors import FieldError, Invalid, NotFound
from app.domain.model import ListQuery
from app.domain.objectives.service import Objectives
from app.graphql.queries.org_chart import _connection, _query
from app.graphql.types.objectives import CheckIn, KeyResult, Objective, check_in, key_result, objective
from app.graphql.types.org_chart import Connection

AS_OF = "Answer as things stood at this instant."


def _common(query: ListQuery, updated_since: datetime | None, external_ref: str | None) -> ListQuery:
    """The filters every list takes besides its own: a change time and an external reference."""
    ref = None
    if external_ref is not None:
        system, sep, external_id = external_ref.partition(":")
        if not sep or not system or not external_id:
            raise Invalid("`externalRef` is `system:id`.", [FieldError("/externalRef", "must be system:id")])
        ref = (system, external_id)
    return replace(query, updated_since=updated_since, external_ref=ref)


def _arg(description: str) -> object:
    return strawberry.argument(description=description)


@strawberry.type
class ObjectivesQuery:
    @strawberry.field(description="An objective by id (null when it does not exist in your organization).")
    async def objective(
        self, info: strawberry.Info, id: strawberry.ID, as_of: datetime | None = None
    ) -> Objective | None:
        try:
            async with info.context.read() as uow:
                return objective(await Objectives(uow, info.context.principal).get_objective(str(id), as_of), as_of)
        except NotFound:
            return None

    @strawberry.field(description="Objectives, oldest first; filter by period, unit, status and parent.")
    async def objectives(
        self,
        info: strawberry.Info,
        first: int = 50,
        after: str | None = None,
        parent_id: Annotated[strawberry.ID | None, _arg("Only the objectives aligned to this one.")] = None,
        owner_unit_id: Annotated[strawberry.ID | None, _arg("Only the objectives this unit owns.")] = None,
        contributor_unit_id: Annotated[
            strawberry.ID | None, _arg("Only the objectives this unit contributes to.")
        ] = None,
        status: Annotated[str | None, _arg("draft, active, achieved, missed or cancelled.")] = None,
        health: Annotated[str | None, _arg("on_track, at_risk or off_track.")] = None,
        link_url: Annotated[str | None, _arg("Only objectives with a link to exactly this URL.")] = None,
        updated_since: Annotated[datetime | None, _arg("Only objectives changed at or after this instant.")] = None,
        external_ref: Annotated[str | None, _arg("`system:id`: the objective that carries this reference.")] = None,
        period_start: Annotated[date | None, _arg("Only objectives whose period starts on this day.")] = None,
        period_end: Annotated[date | None, _arg("Only objectives whose period ends on this day.")] = None,
        as_of: datetime | None = None,
    ) -> Connection[Objective]:
        query = _common(
            _query(
                first,
                after,
                parent_id=parent_id,
                owner_unit_id=owner_unit_id,
                contributor_unit_id=contributor_unit_id,
                status=status,
                health=health,
                link_url=link_url,
                period_start=period_start,
                period_end=period_end,
            ),
            updated_since,
            external_ref,
        )
        async with info.context.read() as uow:
            page = await Objectives(uow, info.context.principal).list_objectives(query, as_of)
        return _connection(page, lambda o: objective(o, as_of))

    @strawberry.field(description="A key result by id.")
    async def key_result(
        self, info: strawberry.Info, id: strawberry.ID, as_of: datetime | None = None
    ) -> KeyResult | None:
        try:
            async with info.context.read() as uow:
                found = await Objectives(uow, info.context.principal).get_key_result(str(id), as_of)
            return key_result(found, as_of)
        except NotFound:
            return None

    @strawberry.field(description="Key results, oldest first.")
    async def key_results(
        self,
        info: strawberry.Info,
        first: int = 50,
        after: str | None = None,
        objective_id: Annotated[strawberry.ID | None, _arg("Only the key results of this objective.")] = None,
        as_of: datetime | None = None,
    ) -> Connection[KeyResult]:
        async with info.context.read() as uow:
            page = await Objectives(uow, info.context.principal).list_key_results(
                _query(first, after, objective_id=objective_id), as_of
            )
        return _connection(page, lambda k: key_result(k, as_of))

    @strawberry.field(description="A check-in by id.")
    async def check_in(self, info: strawberry.Info, id: strawberry.ID) -> CheckIn | None:
        try:
            async with info.context.read() as uow:
                return check_in(await Objectives(uow, info.context.principal).get_check_in(str(id)))
        except NotFound:
            return None

    @strawberry.field(description="Check-ins, oldest first; filter by key result, objective and author.")
    async def check_ins(
        self,
        info: strawberry.Info,
        first: int = 50,
        after: str | None = None,
        key_result_id: strawberry.ID | None = None,
        objective_id: strawberry.ID | None = None,
        author_person_id: strawberry.ID | None = None,
        updated_since: Annotated[datetime | None, _arg("Only check-ins recorded at or after this instant.")] = None,
        created_before: Annotated[datetime | None, _arg("Only check-ins recorded before this instant.")] = None,
    ) -> Connection[CheckIn]:
        query = _common(
            _query(
                first,
                after,
                key_result_id=key_result_id,
                objective_id=objective_id,
                author_person_id=author_person_id,
                created_before=created_before,
            ),
            updated_since,
            None,
        )
        async with info.context.read() as uow:
            page = await Objectives(uow, info.context.principal).list_check_ins(query)
        return _connection(page, check_in)
