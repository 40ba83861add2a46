"""Mutations of the org chart: each one calls the same service method as its REST route, in its own
transaction, and answers `{<object>, userErrors}`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import strawberry

from app.domain.org_chart.common import MEMBERSHIP_MUTABLE
from app.domain.org_chart.model import MEMBERSHIP_DECLARED, PERSON_DECLARED, UNIT_DECLARED
from app.domain.org_chart.service import OrgChart
from app.domain.org_chart.sync import OrgChartSync
from app.graphql.mutations.common import UserError, run_service
from app.graphql.types.inputs import derive_input, for_create
from app.graphql.types.inputs import given as _fields
from app.graphql.types.org_chart import Membership, Person, Unit, membership, person, unit


async def _run(info: strawberry.Info, work: Callable[[OrgChart], Awaitable[Any]]) -> tuple[Any, list[UserError]]:
    return await run_service(info, OrgChart, work)


CreateUnitInput: Any = derive_input("CreateUnitInput", UNIT_DECLARED, update=False, description="A new unit.")
UpdateUnitInput: Any = derive_input(
    "UpdateUnitInput", UNIT_DECLARED, update=True, description="Absent fields stay as they are; null clears a field."
)
CreatePersonInput: Any = derive_input(
    "CreatePersonInput", PERSON_DECLARED, update=False, description="A new person (`status` active by default)."
)
UpdatePersonInput: Any = derive_input(
    "UpdatePersonInput",
    PERSON_DECLARED,
    update=True,
    description="Absent fields stay as they are; null clears a field.",
)
CreateMembershipInput: Any = derive_input(
    "CreateMembershipInput",
    MEMBERSHIP_DECLARED,
    update=False,
    description="A person in a unit (`kind` member and not primary by default).",
)
UpdateMembershipInput: Any = derive_input(
    "UpdateMembershipInput",
    [f for f in MEMBERSHIP_DECLARED if f.name in MEMBERSHIP_MUTABLE],
    update=True,
    description="Absent fields stay as they are; null clears a field.",
)


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


@strawberry.type
class OrgChartMutation:
    @strawberry.mutation
    async def create_unit(self, info: strawberry.Info, input: CreateUnitInput) -> UnitPayload:
        u, errors = await _run(info, lambda s: s.create_unit(for_create(input)))
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
        result, errors = await _run(info, lambda s: s.upsert_unit(system, external_id, for_create(input)))
        return UnitPayload(unit=unit(result[0]) if result else None, user_errors=errors)

    @strawberry.mutation
    async def create_person(self, info: strawberry.Info, input: CreatePersonInput) -> PersonPayload:
        p, errors = await _run(info, lambda s: s.create_person(for_create(input)))
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
        result, errors = await _run(info, lambda s: s.upsert_person(system, external_id, for_create(input)))
        return PersonPayload(person=person(result[0]) if result else None, user_errors=errors)

    @strawberry.mutation
    async def create_membership(self, info: strawberry.Info, input: CreateMembershipInput) -> MembershipPayload:
        m, errors = await _run(info, lambda s: s.create_membership(for_create(input)))
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
