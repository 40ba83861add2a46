"""Mutations of the org chart: each one calls the same service method as its REST route, in its own
transaction, and answers `{<object>, userErrors}`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import strawberry

from app.domain.org_chart.model import (
    MEMBERSHIP_CHANGEABLE,
    MEMBERSHIP_DECLARED,
    MEMBERSHIP_DEFAULTS,
    PERSON_DECLARED,
    PERSON_DEFAULTS,
    UNIT_DECLARED,
    UNIT_DEFAULTS,
)
from app.domain.org_chart.service import OrgChart
from app.domain.org_chart.sync import OrgChartSync
from app.graphql.kit import GraphQLCollection, deleted, mutations, payload
from app.graphql.mutations.common import UserError, run_service
from app.graphql.types.inputs import derive_input
from app.graphql.types.org_chart import Membership, Person, Unit, membership, person, unit


async def _run(info: strawberry.Info, work: Callable[[OrgChart], Awaitable[Any]]) -> tuple[Any, list[UserError]]:
    return await run_service(info, OrgChart, work)


CreateUnitInput: Any = derive_input(
    "CreateUnitInput", UNIT_DECLARED, update=False, description="A new unit.", defaults=UNIT_DEFAULTS
)
UpdateUnitInput: Any = derive_input(
    "UpdateUnitInput", UNIT_DECLARED, update=True, description="Absent fields stay as they are; null clears a field."
)
CreatePersonInput: Any = derive_input(
    "CreatePersonInput", PERSON_DECLARED, update=False, description="A new person.", defaults=PERSON_DEFAULTS
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
    description="A person in a unit.",
    defaults=MEMBERSHIP_DEFAULTS,
)
UpdateMembershipInput: Any = derive_input(
    "UpdateMembershipInput",
    MEMBERSHIP_CHANGEABLE,
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
class SyncCounts:
    created: int
    updated: int
    unchanged: int


@strawberry.type
class SyncOrgChartPayload:
    units: SyncCounts | None
    people: SyncCounts | None
    user_errors: list[UserError]


PersonPayload: Any = payload("PersonPayload", "person", Person)
MembershipPayload: Any = payload("MembershipPayload", "membership", Membership)
UNITS = GraphQLCollection(
    noun="unit",
    service=OrgChart,
    object_type=Unit,
    convert=unit,
    rest="/v1/units",
    create_input=CreateUnitInput,
    update_input=UpdateUnitInput,
    delete_payload=deleted("DeleteUnitPayload", "deleted_unit_id"),
    upsert=True,
    descriptions={
        "update": "The same as PATCH /v1/units/{id}: update or move a unit. `ifMatchVersion` refuses a stale change."
    },
)
PEOPLE = GraphQLCollection(
    noun="person",
    service=OrgChart,
    object_type=Person,
    payload=PersonPayload,
    convert=person,
    rest="/v1/people",
    create_input=CreatePersonInput,
    update_input=UpdatePersonInput,
    upsert=True,
)
MEMBERSHIPS = GraphQLCollection(
    noun="membership",
    service=OrgChart,
    object_type=Membership,
    payload=MembershipPayload,
    convert=membership,
    rest="/v1/memberships",
    create_input=CreateMembershipInput,
    update_input=UpdateMembershipInput,
)


@strawberry.type
class OrgChartMutation(mutations("OrgChartCrud", UNITS, PEOPLE, MEMBERSHIPS)):  # type: ignore[misc]
    """The kit's mutations of units, people and memberships, and the org chart's own (deactivate, end, sync)."""

    @strawberry.mutation(description="People are deactivated, never deleted.")
    async def deactivate_person(
        self, info: strawberry.Info, id: strawberry.ID, if_match_version: int | None = None
    ) -> PersonPayload:
        p, errors = await _run(info, lambda s: s.deactivate_person(str(id), if_match_version))
        return PersonPayload(person=person(p), user_errors=errors)

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
