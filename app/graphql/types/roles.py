"""Role, RoleAssignment and RaciEntry in GraphQL, what RACI resolves to, and `RaciSubject`: the interface
every subject (objective, key result, handoff, unit) implements with `raci` and `raciResolved`. Relations
go through DataLoaders: a fixed number of statements whatever the number of objects."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from app.domain.roles.model import RACI_FIELDS, ROLE_ASSIGNMENT_FIELDS, ROLE_FIELDS
from app.domain.roles.model import RaciEntry as RaciEntryModel
from app.domain.roles.model import Role as RoleModel
from app.domain.roles.model import RoleAssignment as RoleAssignmentModel
from app.domain.roles.resolve import Holder, Path, Resolution
from app.domain.roles.views import Letter
from app.domain.roles.views import Matrix as MatrixModel
from app.domain.roles.views import Responsibilities as ResponsibilitiesModel
from app.graphql.types.derive import derive, instance

if TYPE_CHECKING:
    from app.graphql.types.org_chart import Person, Unit

UnitRef = Annotated["Unit", strawberry.lazy("app.graphql.types.org_chart")]
PersonRef = Annotated["Person", strawberry.lazy("app.graphql.types.org_chart")]
_RoleFields: Any = derive(RoleModel, "RoleFields", description="A role's own fields.", declared=ROLE_FIELDS)
_AssignmentFields: Any = derive(
    RoleAssignmentModel, "RoleAssignmentFields", description="An assignment's fields.", declared=ROLE_ASSIGNMENT_FIELDS
)
_RaciFields: Any = derive(
    RaciEntryModel, "RaciEntryFields", description="A RACI entry's own fields.", declared=RACI_FIELDS
)


def _loaders(info: strawberry.Info, as_of: datetime | None) -> Any:
    return info.context.role_loaders(as_of)


@strawberry.type(description="A role: what it is responsible for, the unit that owns its definition.")
class Role(_RoleFields):  # type: ignore[misc]
    as_of: strawberry.Private[datetime | None] = None

    @strawberry.field(description="The unit that owns the role's definition.")
    async def unit(self, info: strawberry.Info) -> UnitRef | None:
        from app.graphql.types.org_chart import unit

        if not self.unit_id:
            return None
        return unit(await info.context.loaders(self.as_of).unit.load(self.unit_id), self.as_of)

    @strawberry.field(description="The assignments of the role running today (on the day of `asOf`).")
    async def holders(self, info: strawberry.Info) -> list[RoleAssignment]:
        found = await _loaders(info, self.as_of).role_assignments.load(self.id)
        return info.context.counted([assignment(a, self.as_of) for a in found])


@strawberry.type(description="A person holds a role, everywhere or for a unit, from a day to a day.")
class RoleAssignment(_AssignmentFields):  # type: ignore[misc]
    as_of: strawberry.Private[datetime | None] = None

    @strawberry.field(description="The role held.")
    async def role(self, info: strawberry.Info) -> Role | None:
        return role(await _loaders(info, self.as_of).role.load(self.role_id), self.as_of)

    @strawberry.field(description="The person who holds it.")
    async def person(self, info: strawberry.Info) -> PersonRef | None:
        from app.graphql.types.org_chart import person

        return person(await info.context.loaders(self.as_of).person.load(self.person_id), self.as_of)


@strawberry.type(description="A party (person, unit or role) is R, A, C or I on a subject.")
class RaciEntry(_RaciFields):  # type: ignore[misc]
    pass


@strawberry.type(description="How a person came to hold a letter on a subject.")
class RaciPath:
    via: str = strawberry.field(description="direct, unit (a member), role (a holder) or implicit.")
    inherited: bool
    inherited_from_unit_id: strawberry.ID | None = strawberry.field(
        description="The unit above whose appended entry holds here."
    )
    entry_id: strawberry.ID | None
    party_type: str | None
    party_id: strawberry.ID | None
    membership_id: strawberry.ID | None
    role_assignment_id: strawberry.ID | None
    rule: str | None = strawberry.field(description="For an implicit A: the field that named the person.")


@strawberry.type(description="A person holding a letter on a subject, with every path that put them there.")
class RaciHolder:
    person_id: strawberry.ID
    implicit: bool = strawberry.field(description="True: no entry gives the subject an A; this person stands in.")
    path: RaciPath
    paths: list[RaciPath]

    @strawberry.field(description="The person.")
    async def person(self, info: strawberry.Info) -> PersonRef | None:
        from app.graphql.types.org_chart import person

        return person(await info.context.loaders(None).person.load(str(self.person_id)))


@strawberry.type(description="An entry that holds for a subject: its own, or inherited from a unit above.")
class AppliedRaciEntry:
    entry: RaciEntry
    inherited_from_unit_id: strawberry.ID | None
    applies: bool = strawberry.field(description="False: an inherited A that a nearer A overrides.")


@strawberry.type(description="The people who are R, A, C and I on a subject today (REST: GET /v1/raci/resolve).")
class RaciResolved:
    subject_type: str
    subject_id: strawberry.ID
    title: str
    responsible: list[RaciHolder]
    accountable: list[RaciHolder]
    consulted: list[RaciHolder]
    informed: list[RaciHolder]
    accountable_is_implicit: bool
    entries: list[AppliedRaciEntry]


@strawberry.type(description="A letter a person holds: directly, through a unit they belong to, or a role.")
class HeldLetter:
    letter: str
    subject_type: str
    subject_id: strawberry.ID
    entry_id: strawberry.ID
    inherit: str
    via: str
    party_type: str
    party_id: strawberry.ID
    membership_id: strawberry.ID | None
    role_assignment_id: strawberry.ID | None
    within_unit_id: strawberry.ID | None = strawberry.field(
        description="A role held for a unit below the entry's: the inherited letter holds within that unit only."
    )


@strawberry.type(description="A role a person holds, with the assignment.")
class HeldRole:
    role: Role
    assignment: RoleAssignment


@strawberry.type(description="The roles a person holds today and the letters they hold.")
class Responsibilities:
    roles: list[HeldRole]
    letters: list[HeldLetter]


@strawberry.type(description="A column of a RACI matrix: a unit, a role or a person.")
class MatrixParty:
    party_type: str
    party_id: strawberry.ID
    name: str


@strawberry.type(description="The letters a party holds on a row's subject.")
class MatrixCell:
    party_id: strawberry.ID
    letters: list[str]


@strawberry.type(description="A row of a RACI matrix: a subject of the unit.")
class MatrixRow:
    subject_type: str
    subject_id: strawberry.ID
    title: str
    cells: list[MatrixCell]
    accountable_is_implicit: bool


@strawberry.type(description="A unit's subjects × the parties holding letters on them (REST: GET /v1/raci/matrix).")
class RaciMatrix:
    unit_id: strawberry.ID
    parties: list[MatrixParty]
    rows: list[MatrixRow]


@strawberry.interface(description="What RACI entries can name as a subject: objectives, key results, handoffs, units.")
class RaciSubject:
    id: strawberry.ID

    @strawberry.field(description="The RACI entries on it (its own; inherited ones are in raciResolved).")
    async def raci(self, info: strawberry.Info) -> list[RaciEntry]:
        found = await _loaders(info, None).raci.load(str(self.id))
        return info.context.counted([raci_entry(e) for e in found])

    @strawberry.field(description="Who is R, A, C and I on it today, and why (REST: GET /v1/raci/resolve).")
    async def raci_resolved(self, info: strawberry.Info) -> RaciResolved | None:
        found = await _loaders(info, None).resolved.load(str(self.id))
        return None if found is None else resolved(found)


def role(r: RoleModel | None, as_of: datetime | None = None) -> Any:
    return None if r is None else instance(Role, r, as_of=as_of)


def assignment(a: RoleAssignmentModel | None, as_of: datetime | None = None) -> Any:
    return None if a is None else instance(RoleAssignment, a, as_of=as_of)


def raci_entry(e: RaciEntryModel | None) -> Any:
    return None if e is None else instance(RaciEntry, e)


def _path(p: Path) -> RaciPath:
    return RaciPath(**p.resource())


def _holder(h: Holder) -> RaciHolder:
    paths = [_path(p) for p in h.paths]
    return RaciHolder(person_id=strawberry.ID(h.person.id), implicit=h.implicit, path=paths[0], paths=paths)


def resolved(r: Resolution) -> RaciResolved:
    def holders(letter: str) -> list[RaciHolder]:
        return [_holder(h) for h in r.letters[letter]]

    return RaciResolved(
        subject_type=r.subject.type,
        subject_id=strawberry.ID(r.subject.id),
        title=r.subject.title,
        responsible=holders("R"),
        accountable=holders("A"),
        consulted=holders("C"),
        informed=holders("I"),
        accountable_is_implicit=r.accountable_is_implicit,
        entries=[
            AppliedRaciEntry(
                entry=raci_entry(a.entry),
                inherited_from_unit_id=strawberry.ID(a.inherited_from_unit_id) if a.inherited_from_unit_id else None,
                applies=a.applies,
            )
            for a in r.entries
        ],
    )


def _letter(x: Letter) -> HeldLetter:
    return HeldLetter(**x.resource())


def responsibilities(r: ResponsibilitiesModel) -> Responsibilities:
    return Responsibilities(
        roles=[HeldRole(role=role(x), assignment=assignment(a)) for x, a in r.roles],
        letters=[_letter(x) for x in r.letters],
    )


def raci_matrix(m: MatrixModel) -> RaciMatrix:
    return RaciMatrix(
        unit_id=strawberry.ID(m.unit_id),
        parties=[MatrixParty(party_type=t, party_id=strawberry.ID(i), name=n) for t, i, n in m.parties],
        rows=[
            MatrixRow(
                subject_type=r.subject.type,
                subject_id=strawberry.ID(r.subject.id),
                title=r.subject.title,
                cells=[MatrixCell(party_id=strawberry.ID(k), letters=v) for k, v in cells.items()],
                accountable_is_implicit=implicit,
            )
            for r, cells, implicit in m.rows
        ],
    )
