"""Mutations of the org chart: each one calls the same service method as its REST route, in its own
transaction, and answers `{<object>, userErrors}`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import strawberry
from strawberry.scalars import JSON

from app.domain.org_chart.service import OrgChart
from app.domain.org_chart.sync import OrgChartSync
from app.graphql.mutations.common import UserError, run_service
from app.graphql.types.inputs import given as _fields
from app.graphql.types.org_chart import Membership, Person, Unit, membership, person, unit


async def _run(info: strawberry.Info, work: Callable[[OrgChart], Awaitable[Any]]) -> tuple[Any, list[UserError]]:
    return await run_service(info, OrgChart, work)


@strawberry.input
class CreateUnitInput:
    name: str
    kind: str
    parent_id: strawberry.ID | None = None
    lead_person_id: strawberry.ID | None = None
    external_refs: JSON | None = None
    links: JSON | None = strawberry.field(default=None, description="`[{title, url, kind}]`.")


@strawberry.input(description="Absent fields stay as they are; null clears a field.")
class UpdateUnitInput:
    name: str | None = strawberry.UNSET
    kind: str | None = strawberry.UNSET
    parent_id: strawberry.ID | None = strawberry.UNSET
    lead_person_id: strawberry.ID | None = strawberry.UNSET
    external_refs: JSON | None = strawberry.UNSET
    links: JSON | None = strawberry.UNSET


@strawberry.input
class CreatePersonInput:
    given_name: str
    family_name: str
    email: str | None = None
    user_name: str | None = None
    department: str | None = None
    title: str | None = None
    manager_id: strawberry.ID | None = None
    status: str = "active"
    external_refs: JSON | None = None


@strawberry.input(description="Absent fields stay as they are; null clears a field.")
class UpdatePersonInput:
    given_name: str | None = strawberry.UNSET
    family_name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    user_name: str | None = strawberry.UNSET
    department: str | None = strawberry.UNSET
    title: str | None = strawberry.UNSET
    manager_id: strawberry.ID | None = strawberry.UNSET
    status: str | None = strawberry.UNSET
    external_refs: JSON | None = strawberry.UNSET


@strawberry.input
class CreateMembershipInput:
    person_id: strawberry.ID
    unit_id: strawberry.ID
    title: str | None = None
    kind: str = "member"
    primary: bool = False
    starts_on: date | None = None
    ends_on: date | None = None
    external_refs: JSON | None = None


@strawberry.input(description="Absent fields stay as they are; null clears a field.")
class UpdateMembershipInput:
    title: str | None = strawberry.UNSET
    kind: str | None = strawberry.UNSET
    primary: bool | None = strawberry.UNSET
    starts_on: date | None = strawberry.UNSET
    ends_on: date | None = strawberry.UNSET
    external_refs: JSON | None = strawberry.UNSET


@strawberry.input
class SyncUnitInput:
    external_id: str
    name: str
    kind: str | None = None
    parent_external_id: str | None = None


@strawberry.input
class SyncPersonInput:
    external_id: str
    given_name: str
    family_name: str
    email: str
    title: str | None = None
    manager_external_id: str | None = None
    unit_external_id: str | None = None


@strawberry.type
class UnitPayload:
    unit: Unit | None
    user_errors: list[UserError]


@strawberry.type
class DeleteUnitPayload:
    deleted_unit_id: strawberry.ID | None
    user_errors: list[UserError]


@strawberry.type
class PersonPayload:
    person: Person | None
    user_errors: list[UserError]


@strawberry.type
class MembershipPayload:
    membership: Membership | None
    user_errors: list[UserError]


@strawberry.type
class SyncCounts:
    created: int
    updated: int
    unchanged: int


@strawberry.type
class SyncOrgChartPayload:
    units: SyncCounts | None
    people: SyncCounts | None
    user_errors: list[UserError]


def _create(data: Any) -> dict[str, Any]:
    fields = {k: v for k, v in vars(data).items() if v is not strawberry.UNSET}
    if fields.get("external_refs") is None:  # any other value goes to the domain's check, even a falsy one
        fields["external_refs"] = {}
    if fields.get("links") is None:
        fields.pop("links", None)
    return fields


@strawberry.type
class OrgChartMutation:
    @strawberry.mutation
    async def create_unit(self, info: strawberry.Info, input: CreateUnitInput) -> UnitPayload:
        u, errors = await _run(info, lambda s: s.create_unit(_create(input)))
        return UnitPayload(unit=unit(u), user_errors=errors)

    @strawberry.mutation(description="Update or move a unit. `ifMatchVersion` refuses a stale change.")
    async def update_unit(
        self, info: strawberry.Info, id: strawberry.ID, input: UpdateUnitInput, if_match_version: int | None = None
    ) -> UnitPayload:
        u, errors = await _run(info, lambda s: s.update_unit(str(id), _fields(input), if_match_version))
        return UnitPayload(unit=unit(u), user_errors=errors)

    @strawberry.mutation
    async def delete_unit(
        self, info: strawberry.Info, id: strawberry.ID, if_match_version: int | None = None
    ) -> DeleteUnitPayload:
        _, errors = await _run(info, lambda s: s.delete_unit(str(id), if_match_version))
        return DeleteUnitPayload(deleted_unit_id=None if errors else id, user_errors=errors)

    @strawberry.mutation
    async def upsert_unit_by_external_ref(
        self, info: strawberry.Info, system: str, external_id: str, input: CreateUnitInput
    ) -> UnitPayload:
        result, errors = await _run(info, lambda s: s.upsert_unit(system, external_id, _create(input)))
        return UnitPayload(unit=unit(result[0]) if result else None, user_errors=errors)

    @strawberry.mutation
    async def create_person(self, info: strawberry.Info, input: CreatePersonInput) -> PersonPayload:
        p, errors = await _run(info, lambda s: s.create_person(_create(input)))
        return PersonPayload(person=person(p), user_errors=errors)

    @strawberry.mutation
    async def update_person(
        self, info: strawberry.Info, id: strawberry.ID, input: UpdatePersonInput, if_match_version: int | None = None
    ) -> PersonPayload:
        p, errors = await _run(info, lambda s: s.update_person(str(id), _fields(input), if_match_version))
        return PersonPayload(person=person(p), user_errors=errors)

    @strawberry.mutation(description="People are deactivated, never deleted.")
    async def deactivate_person(
        self, info: strawberry.Info, id: strawberry.ID, if_match_version: int | None = None
    ) -> PersonPayload:
        p, errors = await _run(info, lambda s: s.deactivate_person(str(id), if_match_version))
        return PersonPayload(person=person(p), user_errors=errors)

    @strawberry.mutation
    async def upsert_person_by_external_ref(
        self, info: strawberry.Info, system: str, external_id: str, input: CreatePersonInput
    ) -> PersonPayload:
        result, errors = await _run(info, lambda s: s.upsert_person(system, external_id, _create(input)))
        return PersonPayload(person=person(result[0]) if result else None, user_errors=errors)

    @strawberry.mutation
    async def create_membership(self, info: strawberry.Info, input: CreateMembershipInput) -> MembershipPayload:
        m, errors = await _run(info, lambda s: s.create_membership(_create(input)))
        return MembershipPayload(membership=membership(m), user_errors=errors)

    @strawberry.mutation
    async def update_membership(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        input: UpdateMembershipInput,
        if_match_version: int | None = None,
    ) -> MembershipPayload:
        m, errors = await _run(info, lambda s: s.update_membership(str(id), _fields(input), if_match_version))
        return MembershipPayload(membership=membership(m), user_errors=errors)

    @strawberry.mutation(description="End a membership on `endsOn` (today when absent).")
    async def end_membership(
        self, info: strawberry.Info, id: strawberry.ID, ends_on: date | None = None, if_match_version: int | None = None
    ) -> MembershipPayload:
        m, errors = await _run(info, lambda s: s.end_membership(str(id), ends_on, if_match_version))
        return MembershipPayload(membership=membership(m), user_errors=errors)

    @strawberry.mutation(description="The same as POST /v1/sync/org-chart.")
    async def sync_org_chart(
        self,
        info: strawberry.Info,
        system: str,
        units: list[SyncUnitInput] | None = None,
        people: list[SyncPersonInput] | None = None,
    ) -> SyncOrgChartPayload:
        async def work(s: OrgChart) -> Any:
            return await OrgChartSync(s.uow, s.principal).run(
                system, [vars(u) for u in units or []], [vars(p) for p in people or []]
            )

        result, errors = await _run(info, work)
        if errors:
            return SyncOrgChartPayload(units=None, people=None, user_errors=errors)
        return SyncOrgChartPayload(
            units=SyncCounts(**result["units"]), people=SyncCounts(**result["people"]), user_errors=[]
        )
