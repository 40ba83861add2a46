"""RACI resolved to people: for any number of subjects at once, in a fixed number of statements.

A subject's letters come from its own entries and from the entries with `inherit: append` of the units it
belongs to and of every unit above them (a unit belongs to itself; an objective and its key results to the
owner unit; a handoff to the addressed and the sending unit). Parties become people: a person itself; a
unit's direct members whose membership runs today; a role's holders whose assignment runs today and whose
scope (if any) is one of the subject's units or above them. Inactive people are left out. One A wins: the
subject's own, else the nearest inherited one (the addressed unit's side first), else the implicit one:
an objective's owner (else its owner unit's lead), a key result's owner (else its objective's owner, else
that unit's lead), a handoff's addressed person (else the addressed unit's lead), a unit's lead."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.domain.errors import NotFound
from app.domain.handoffs.model import Handoff
from app.domain.ids import type_of
from app.domain.objectives.model import KeyResult, Objective
from app.domain.org_chart.model import Person, Unit
from app.domain.ports import UnitOfWork
from app.domain.roles.model import LETTERS, SUBJECT_PREFIX, RaciEntry

SUBJECT_OF_PREFIX = {prefix: kind for kind, prefix in SUBJECT_PREFIX.items()}


@dataclass
class Subject:
    type: str
    id: str
    title: str
    units: list[str]  # the units it belongs to, the addressed side first
    implicit: list[tuple[str | None, str]]  # who stands in for a missing A, in order: (person id, why)
    chain: list[tuple[str, int]] = field(default_factory=list)  # (unit, distance) it inherits from, nearest first

    def in_scope(self, scope_unit_id: str | None) -> bool:
        """Whether a role held for this unit (None: everywhere) holds here: the subject belongs to that unit
        or to a unit below it."""
        return scope_unit_id is None or scope_unit_id in self.units or any(u == scope_unit_id for u, _ in self.chain)


@dataclass(frozen=True)
class Path:
    via: str  # direct | unit | role | implicit
    entry_id: str | None = None
    party_type: str | None = None
    party_id: str | None = None
    inherited_from_unit_id: str | None = None  # the unit whose entry holds here by inheritance
    membership_id: str | None = None
    role_assignment_id: str | None = None
    rule: str | None = None  # implicit: the field that named the person

    def resource(self) -> dict[str, Any]:
        return {
            "via": self.via,
            "inherited": self.inherited_from_unit_id is not None,
            "inherited_from_unit_id": self.inherited_from_unit_id,
            "entry_id": self.entry_id,
            "party_type": self.party_type,
            "party_id": self.party_id,
            "membership_id": self.membership_id,
            "role_assignment_id": self.role_assignment_id,
            "rule": self.rule,
        }


@dataclass
class Holder:
    person: Person
    implicit: bool
    paths: list[Path]

    def resource(self) -> dict[str, Any]:
        return {
            "person_id": self.person.id,
            "given_name": self.person.given_name,
            "family_name": self.person.family_name,
            "email": self.person.email,
            "implicit": self.implicit,
            "path": self.paths[0].resource(),
            "paths": [p.resource() for p in self.paths],
        }


@dataclass(frozen=True)
class Applied:
    entry: RaciEntry
    inherited_from_unit_id: str | None
    applies: bool  # False: an A that a nearer A overrides

    def resource(self) -> dict[str, Any]:
        return {
            **self.entry.resource(),
            "inherited_from_unit_id": self.inherited_from_unit_id,
            "applies": self.applies,
        }


@dataclass
class Resolution:
    subject: Subject
    letters: dict[str, list[Holder]]
    entries: list[Applied]
    accountable_is_implicit: bool

    def holds(self, person_id: str) -> bool:
        return any(h.person.id == person_id for holders in self.letters.values() for h in holders)

    def resource(self) -> dict[str, Any]:
        return {
            "subject_type": self.subject.type,
            "subject_id": self.subject.id,
            "title": self.subject.title,
            **{letter: [h.resource() for h in self.letters[letter]] for letter in LETTERS},
            "accountable_is_implicit": self.accountable_is_implicit,
            "entries": [a.resource() for a in self.entries],
        }


def subject_type_of(subject_id: str) -> str | None:
    prefix = subject_id.partition("_")[0] if type_of(subject_id) else ""
    return SUBJECT_OF_PREFIX.get(prefix)


class Resolver:
    """Reads for one unit of work; `today` is the day memberships and assignments must run on."""

    def __init__(self, uow: UnitOfWork, today: date) -> None:
        self.uow, self.today = uow, today
        self.units: dict[str, Unit] = {}
        self.people: dict[str, Person] = {}
        self._scopes: dict[str, str | None] = {}  # each running role assignment's unit scope

    async def subjects(self, ids: Iterable[str]) -> dict[str, Subject]:
        """The subjects these ids name that exist (others are left out), with the units they belong to and
        the chain of units they inherit from."""
        by_type: dict[str, list[str]] = {}
        for subject_id in dict.fromkeys(ids):
            kind = subject_type_of(subject_id)
            if kind:
                by_type.setdefault(kind, []).append(subject_id)
        key_results: list[KeyResult] = await self.uow.key_results.get_many(by_type.get("key_result", []))
        objective_ids = by_type.get("objective", []) + [k.objective_id for k in key_results]
        objectives = {o.id: o for o in await self.uow.objectives.get_many(sorted(set(objective_ids)))}
        handoffs: list[Handoff] = await self.uow.handoffs.get_many(by_type.get("handoff", []))
        unit_ids = set(by_type.get("unit", []))
        unit_ids |= {o.owner_unit_id for o in objectives.values()}
        unit_ids |= {u for h in handoffs for u in (h.to_unit_id, h.from_unit_id) if u}
        await self._load_units(unit_ids)
        out: dict[str, Subject] = {}
        for o in (objectives[i] for i in by_type.get("objective", []) if i in objectives):
            out[o.id] = Subject("objective", o.id, o.title, [o.owner_unit_id], self._owner_or_lead(o))
        for k in key_results:
            parent = objectives.get(k.objective_id)
            implicit = [(k.owner_person_id, "owner_person_id")] + (self._owner_or_lead(parent) if parent else [])
            units = [parent.owner_unit_id] if parent else []
            out[k.id] = Subject("key_result", k.id, k.title, units, implicit)
        for h in handoffs:
            lead = self._lead(h.to_unit_id)
            units = [u for u in (h.to_unit_id, h.from_unit_id) if u]
            out[h.id] = Subject(
                "handoff", h.id, h.title, units, [(h.to_person_id, "to_person_id"), (lead, "addressed_unit_lead")]
            )
        for unit_id in by_type.get("unit", []):
            u = self.units.get(unit_id)
            if u is not None:
                out[u.id] = Subject("unit", u.id, u.name, [u.id], [(u.lead_person_id, "lead_person_id")])
        ancestors = await self.uow.units.ancestors_of(sorted({u for s in out.values() for u in s.units}))
        for a in (a for chain in ancestors.values() for a in chain):
            self.units.setdefault(a.id, a)
        for s in out.values():
            s.chain = _chain(s, ancestors)
        return out

    async def resolve(self, ids: Iterable[str]) -> dict[str, Resolution]:
        subjects = await self.subjects(ids)
        wanted = set(subjects) | {u for s in subjects.values() for u, _ in s.chain}
        entries = await self.uow.raci.of_subjects(sorted(wanted))
        by_subject: dict[str, list[RaciEntry]] = {}
        for e in entries:
            by_subject.setdefault(e.subject_id, []).append(e)
        applied = {s.id: _applied(s, by_subject) for s in subjects.values()}
        holders = await self._parties([a.entry for chosen in applied.values() for a in chosen if a.applies])
        implicit_ids = [p for s in subjects.values() for p, _ in s.implicit if p]
        await self._load_people([p for found in holders.values() for p, _ in found] + implicit_ids)
        return {s.id: self._resolution(s, applied[s.id], holders) for s in subjects.values()}

    async def resolve_one(self, subject_id: str) -> Resolution:
        found = (await self.resolve([subject_id])).get(subject_id)
        if found is None:
            raise NotFound(f"No objective, key result, handoff or unit {subject_id}.")
        return found

    def _resolution(
        self, s: Subject, applied: list[Applied], holders: dict[tuple[str, str], list[tuple[str, Path]]]
    ) -> Resolution:
        letters: dict[str, dict[str, Holder]] = {letter: {} for letter in LETTERS}
        for a in applied:
            if not a.applies:
                continue
            for person_id, path in holders.get((a.entry.party_type, a.entry.party_id), []):
                if not self._in_scope(path, s):
                    continue
                person = self.people.get(person_id)
                if person is None or person.status != "active":
                    continue
                path = _inherited(path, a.entry, a.inherited_from_unit_id)
                found = letters[a.entry.letter].setdefault(person_id, Holder(person, False, []))
                found.paths.append(path)
        # No A entry, or one that names nobody today (an empty unit, a role without holders, an inactive
        # person): the owner stands in, so that every subject answers who is accountable.
        implicit = False
        if not letters["A"]:
            for candidate, rule in s.implicit:
                person = self.people.get(candidate) if candidate else None
                if person is not None and person.status == "active":
                    letters["A"][person.id] = Holder(person, True, [Path("implicit", rule=rule)])
                    implicit = True
                    break
        return Resolution(s, {k: list(v.values()) for k, v in letters.items()}, applied, implicit)

    def _in_scope(self, path: Path, s: Subject) -> bool:
        """A role held for a unit holds for the subjects of that unit and of the units below it."""
        return s.in_scope(self._scopes.get(path.role_assignment_id or ""))

    async def _parties(self, entries: list[RaciEntry]) -> dict[tuple[str, str], list[tuple[str, Path]]]:
        """Each party's people as of today, with the path from the party (the entry is added later)."""
        unit_ids = sorted({e.party_id for e in entries if e.party_type == "unit"})
        role_ids = sorted({e.party_id for e in entries if e.party_type == "role"})
        out: dict[tuple[str, str], list[tuple[str, Path]]] = {}
        for e in entries:
            if e.party_type == "person":
                out[("person", e.party_id)] = [(e.party_id, Path("direct", party_type="person", party_id=e.party_id))]
        for m in await self.uow.memberships.of_units(unit_ids) if unit_ids else []:
            if m.active_on(self.today):
                path = Path("unit", party_type="unit", party_id=m.unit_id, membership_id=m.id)
                out.setdefault(("unit", m.unit_id), []).append((m.person_id, path))
        for ra in await self.uow.role_assignments.of_roles(role_ids) if role_ids else []:
            if ra.active_on(self.today):
                self._scopes[ra.id] = ra.unit_id
                path = Path("role", party_type="role", party_id=ra.role_id, role_assignment_id=ra.id)
                out.setdefault(("role", ra.role_id), []).append((ra.person_id, path))
        return out

    async def _load_units(self, ids: Iterable[str]) -> None:
        missing = sorted(set(ids) - set(self.units))
        if missing:
            self.units.update({u.id: u for u in await self.uow.units.get_many(missing)})

    async def _load_people(self, ids: Iterable[str]) -> None:
        missing = sorted(set(ids) - set(self.people))
        if missing:
            self.people.update({p.id: p for p in await self.uow.people.get_many(missing)})

    def _lead(self, unit_id: str | None) -> str | None:
        u = self.units.get(unit_id or "")
        return u.lead_person_id if u else None

    def _owner_or_lead(self, o: Objective) -> list[tuple[str | None, str]]:
        return [(o.owner_person_id, "owner_person_id"), (self._lead(o.owner_unit_id), "owner_unit_lead")]


def _chain(s: Subject, ancestors: dict[str, list[Unit]]) -> list[tuple[str, int]]:
    """The units whose appended entries hold for the subject, nearest first: a unit inherits from the units
    above it; another subject from its units and the units above them."""
    best: dict[str, int] = {}
    order: list[str] = []
    for unit_id in s.units:
        steps = [] if s.type == "unit" else [(unit_id, 0)]
        steps += [(a.id, d) for d, a in enumerate(ancestors.get(unit_id, []), start=1)]
        for u, d in steps:
            if u not in best:
                order.append(u)
            best[u] = min(d, best.get(u, d))
    return sorted(((u, best[u]) for u in order), key=lambda x: x[1])  # stable: the addressed side first


def _applied(s: Subject, by_subject: dict[str, list[RaciEntry]]) -> list[Applied]:
    own = [Applied(e, None, True) for e in by_subject.get(s.id, [])]
    inherited = [
        (Applied(e, unit_id, True), distance)
        for unit_id, distance in s.chain
        for e in by_subject.get(unit_id, [])
        if e.inherit == "append" and not (s.type == "unit" and unit_id == s.id)
    ]
    has_a = any(a.entry.letter == "A" for a in own)
    out = list(own)
    for a, _ in inherited:  # nearest first: the first A stands unless the subject has its own
        if a.entry.letter == "A" and (has_a or any(x.entry.letter == "A" and x.applies for x in out)):
            a = Applied(a.entry, a.inherited_from_unit_id, False)
        out.append(a)
    return out


def _inherited(path: Path, entry: RaciEntry, from_unit: str | None) -> Path:
    return Path(
        path.via,
        entry_id=entry.id,
        party_type=path.party_type,
        party_id=path.party_id,
        inherited_from_unit_id=from_unit,
        membership_id=path.membership_id,
        role_assignment_id=path.role_assignment_id,
    )
