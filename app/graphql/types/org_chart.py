"""Unit, Person and Membership in GraphQL: fields derived from the domain, relations through DataLoaders,
and the instant (`asOf`) carried down so that a nested read answers as the org stood then."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

import strawberry

from app.domain.org_chart.model import MEMBERSHIP_DECLARED, PERSON_DECLARED, UNIT_DECLARED
from app.domain.org_chart.model import Membership as MembershipModel
from app.domain.org_chart.model import Person as PersonModel
from app.domain.org_chart.model import Unit as UnitModel
from app.graphql.types.derive import derive, instance
from app.graphql.types.roles import RaciSubject, Responsibilities, Role, responsibilities, role

if TYPE_CHECKING:
    from app.graphql.types.handoffs import Handoff
    from app.graphql.types.objectives import Objective

T = TypeVar("T")
ObjectiveRef = Annotated["Objective", strawberry.lazy("app.graphql.types.objectives")]
HandoffRef = Annotated["Handoff", strawberry.lazy("app.graphql.types.handoffs")]

_UnitFields: Any = derive(UnitModel, "UnitFields", description="A unit's own fields.", declared=UNIT_DECLARED)
_PersonFields: Any = derive(PersonModel, "PersonFields", description="A person's own fields.", declared=PERSON_DECLARED)
_MembershipFields: Any = derive(
    MembershipModel,
    "MembershipFields",
    description="A membership's own fields.",
    declared=MEMBERSHIP_DECLARED,
)


def _loaders(info: strawberry.Info, as_of: datetime | None) -> Any:
    return info.context.loaders(as_of)


@strawberry.type(description="A unit of the org chart: company, division, department, team or project.")
class Unit(_UnitFields, RaciSubject):  # type: ignore[misc]
    as_of: strawberry.Private[datetime | None] = None

    @strawberry.field(description="The parent unit (null for a root).")
    async def parent(self, info: strawberry.Info) -> Unit | None:
        if not self.parent_id:
            return None
        return unit(await _loaders(info, self.as_of).unit.load(self.parent_id), self.as_of)

    @strawberry.field(description="The units directly below.")
    async def children(self, info: strawberry.Info) -> list[Unit]:
        return info.context.counted(
            [unit(u, self.as_of) for u in await _loaders(info, self.as_of).children.load(self.id)]
        )

    @strawberry.field(description="The parent, then its parent, up to the root.")
    async def ancestors(self, info: strawberry.Info) -> list[Unit]:
        return info.context.counted(
            [unit(u, self.as_of) for u in await _loaders(info, self.as_of).ancestors.load(self.id)]
        )

    @strawberry.field(description="The people with a running membership in this unit.")
    async def members(self, info: strawberry.Info) -> list[Person]:
        loaders = _loaders(info, self.as_of)
        memberships = await loaders.unit_memberships.load(self.id)
        ids = list(dict.fromkeys(m.person_id for m in memberships))  # once each, in membership order
        return info.context.counted(
            [person(p, self.as_of) for p in await loaders.person.load_many(ids) if p is not None]
        )

    @strawberry.field(description="The running memberships of this unit.")
    async def memberships(self, info: strawberry.Info) -> list[Membership]:
        found = await _loaders(info, self.as_of).unit_memberships.load(self.id)
        return info.context.counted([membership(m, self.as_of) for m in found])

    @strawberry.field(description="The unit's lead.")
    async def lead(self, info: strawberry.Info) -> Person | None:
        if not self.lead_person_id:
            return None
        return person(await _loaders(info, self.as_of).person.load(self.lead_person_id), self.as_of)

    @strawberry.field(
        description="The objectives this unit owns, and with `includeContributing` those it contributes to"
        " (needs objectives:read)."
    )
    async def objectives(self, info: strawberry.Info, include_contributing: bool = False) -> list[ObjectiveRef]:
        from app.graphql.types.objectives import objective

        loaders = info.context.objective_loaders(self.as_of)
        found = list(await loaders.unit_objectives.load(self.id))
        if include_contributing:
            found = sorted(
                {o.id: o for o in found + await loaders.unit_contributions.load(self.id)}.values(), key=lambda o: o.id
            )
        return info.context.counted([objective(o, self.as_of) for o in found])

    @strawberry.field(description="The handoffs addressed to this unit (needs handoffs:read).")
    async def incoming_handoffs(self, info: strawberry.Info) -> list[HandoffRef]:
        from app.graphql.types.handoffs import handoff

        return info.context.counted([handoff(h) for h in await info.context.handoff_loaders().incoming.load(self.id)])

    @strawberry.field(description="The roles this unit owns (needs roles:read).")
    async def roles(self, info: strawberry.Info) -> list[Role]:
        found = await info.context.role_loaders(self.as_of).unit_roles.load(self.id)
        return info.context.counted([role(r, self.as_of) for r in found])

    @strawberry.field(description="The handoffs this unit sent (needs handoffs:read).")
    async def outgoing_handoffs(self, info: strawberry.Info) -> list[HandoffRef]:
        from app.graphql.types.handoffs import handoff

        return info.context.counted([handoff(h) for h in await info.context.handoff_loaders().outgoing.load(self.id)])


@strawberry.type(description="A person of the organization.")
class Person(_PersonFields):  # type: ignore[misc]
    as_of: strawberry.Private[datetime | None] = None

    @strawberry.field(description="The person's manager.")
    async def manager(self, info: strawberry.Info) -> Person | None:
        if not self.manager_id:
            return None
        return person(await _loaders(info, self.as_of).person.load(self.manager_id), self.as_of)

    @strawberry.field(description="The people who report directly to this person.")
    async def reports(self, info: strawberry.Info) -> list[Person]:
        return info.context.counted(
            [person(p, self.as_of) for p in await _loaders(info, self.as_of).reports.load(self.id)]
        )

    @strawberry.field(description="The person's memberships (in the past: those running then).")
    async def memberships(self, info: strawberry.Info) -> list[Membership]:
        found = await _loaders(info, self.as_of).person_memberships.load(self.id)
        return info.context.counted([membership(m, self.as_of) for m in found])

    @strawberry.field(description="The units of the person's running memberships.")
    async def units(self, info: strawberry.Info) -> list[Unit]:
        return info.context.counted(
            [unit(u, self.as_of) for u in await _loaders(info, self.as_of).person_units.load(self.id)]
        )

    @strawberry.field(description="The roles the person holds today (on the day of `asOf`; needs roles:read).")
    async def roles(self, info: strawberry.Info) -> list[Role]:
        loaders = info.context.role_loaders(self.as_of)
        held = await loaders.person_assignments.load(self.id)
        found = await loaders.role.load_many(sorted({a.role_id for a in held}))
        return info.context.counted([role(r, self.as_of) for r in found if r is not None])

    @strawberry.field(
        description="The roles the person holds today and the RACI letters they hold directly, through their units"
        " and their roles (REST: GET /v1/people/{id}/responsibilities; needs roles:read)."
    )
    async def responsibilities(self, info: strawberry.Info) -> Responsibilities | None:
        found = await info.context.role_loaders(None).responsibilities.load(self.id)
        return None if found is None else responsibilities(found)


@strawberry.type(description="A person's place in a unit.")
class Membership(_MembershipFields):  # type: ignore[misc]
    as_of: strawberry.Private[datetime | None] = None

    @strawberry.field
    async def person(self, info: strawberry.Info) -> Person | None:
        return person(await _loaders(info, self.as_of).person.load(self.person_id), self.as_of)

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> Unit | None:
        return unit(await _loaders(info, self.as_of).unit.load(self.unit_id), self.as_of)


def unit(u: UnitModel | None, as_of: datetime | None = None) -> Any:
    return None if u is None else instance(Unit, u, as_of=as_of)


def person(p: PersonModel | None, as_of: datetime | None = None) -> Any:
    return None if p is None else instance(Person, p, as_of=as_of)


def membership(m: MembershipModel | None, as_of: datetime | None = None) -> Any:
    return None if m is None else instance(Membership, m, as_of=as_of)


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
