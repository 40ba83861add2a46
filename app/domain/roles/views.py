"""What RACI answers beyond one subject: a unit's matrix, a person's responsibilities, and the subjects
whose events concern a person (their feed). Each reads a fixed number of statements per call, whatever
the number of people or subjects (a unit's descendants are walked once per inherited entry)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.domain.errors import NotFound
from app.domain.handoffs.model import Handoff
from app.domain.objectives.model import KeyResult, Objective
from app.domain.ports import UnitOfWork
from app.domain.roles.model import LETTERS, RaciEntry, Role, RoleAssignment
from app.domain.roles.resolve import Resolution, Resolver
from app.domain.text import spreadsheet_safe

PARTY_ORDER = {"unit": 0, "role": 1, "person": 2}


@dataclass(frozen=True)
class Letter:
    """A letter a person holds on a subject: through an entry naming them, a unit they belong to, or a role
    they hold (a role held for a unit counts only for that unit's subjects and those below it)."""

    entry: RaciEntry
    via: str  # direct | unit | role
    membership_id: str | None = None
    role_assignment_id: str | None = None
    # A role held for a unit below the entry's: the inherited letter holds for that unit's subjects only.
    within_unit_id: str | None = None

    def resource(self) -> dict[str, Any]:
        e = self.entry
        return {
            "letter": e.letter,
            "subject_type": e.subject_type,
            "subject_id": e.subject_id,
            "entry_id": e.id,
            "inherit": e.inherit,
            "via": self.via,
            "party_type": e.party_type,
            "party_id": e.party_id,
            "membership_id": self.membership_id,
            "role_assignment_id": self.role_assignment_id,
            "within_unit_id": self.within_unit_id,
        }


@dataclass
class Responsibilities:
    person_id: str
    roles: list[tuple[Role, RoleAssignment]]
    letters: list[Letter]

    def resource(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "roles": [{"role": r.resource(), "assignment": a.resource()} for r, a in self.roles],
            "letters": [x.resource() for x in self.letters],
        }


async def responsibilities(uow: UnitOfWork, today: date, person_ids: list[str]) -> dict[str, Responsibilities]:
    """For each person: the roles they hold today and the letters they hold directly or through their
    units (memberships running today) and roles."""
    memberships = [m for m in await uow.memberships.of_people(person_ids) if m.active_on(today)]
    assignments = [a for a in await uow.role_assignments.of_people(person_ids) if a.active_on(today)]
    roles = {r.id: r for r in await uow.roles.get_many(sorted({a.role_id for a in assignments}))}
    parties = set(person_ids) | {m.unit_id for m in memberships} | set(roles)
    entries = await uow.raci.of_parties(sorted(parties))
    by_party: dict[str, list[RaciEntry]] = {}
    for e in entries:
        by_party.setdefault(e.party_id, []).append(e)
    scopes = sorted({a.unit_id for a in assignments if a.unit_id})
    role_subjects = {e.subject_id for e in entries if e.party_type == "role"} if scopes else set()
    subjects = await Resolver(uow, today).subjects(role_subjects) if role_subjects else {}
    # each scope unit with the units above it: an appended entry there holds within the scope
    above = (
        {u: {u} | {x.id for x in chain} for u, chain in (await uow.units.ancestors_of(scopes)).items()}
        if role_subjects
        else {}
    )
    out = {p: Responsibilities(p, [], []) for p in person_ids}
    for p in person_ids:
        out[p].letters += [Letter(e, "direct") for e in by_party.get(p, []) if e.party_type == "person"]
    for m in memberships:
        found = [e for e in by_party.get(m.unit_id, []) if e.party_type == "unit"]
        out[m.person_id].letters += [Letter(e, "unit", membership_id=m.id) for e in found]
    for a in assignments:
        if a.role_id not in roles:
            continue
        out[a.person_id].roles.append((roles[a.role_id], a))
        for e in by_party.get(a.role_id, []):
            s = subjects.get(e.subject_id)
            if a.unit_id is None or (s is not None and s.in_scope(a.unit_id)):
                out[a.person_id].letters.append(Letter(e, "role", role_assignment_id=a.id))
            elif e.inherit == "append" and e.subject_id in above.get(a.unit_id, set()):
                # the entry is on a unit above the role's scope: by inheritance it holds within the scope
                letter = Letter(e, "role", role_assignment_id=a.id, within_unit_id=a.unit_id)
                out[a.person_id].letters.append(letter)
    for r in out.values():
        r.letters.sort(key=lambda x: (x.entry.subject_id, LETTERS.index(x.entry.letter), x.entry.id))
    return out


async def subjects_of_person(uow: UnitOfWork, today: date, person_id: str) -> set[str]:
    """The subjects where the person is R, A, C or I now: the candidates (what their letters name, what
    inherits from them, what they own, lead or are addressed) resolved, keeping those that name them."""
    mine = (await responsibilities(uow, today, [person_id]))[person_id]
    candidates = {x.entry.subject_id for x in mine.letters}
    spread: set[str] = set()
    for x in mine.letters:
        if x.entry.inherit == "append" and x.entry.subject_type == "unit":
            root = x.within_unit_id or x.entry.subject_id
            spread.add(root)
            spread |= {u.id for u, _ in await uow.units.descendants(root, None)}
    led = {u.id for u in await uow.units.in_column("lead_person_id", [person_id])}
    owning_units = sorted(spread | led)
    objectives = await uow.objectives.of_owner_units(owning_units) if owning_units else []
    objectives += await uow.objectives.in_column("owner_person_id", [person_id])
    handoffs = (
        (await uow.handoffs.addressed_to(owning_units) + await uow.handoffs.sent_by(owning_units))
        if owning_units
        else []
    )
    handoffs += await uow.handoffs.in_column("to_person_id", [person_id])
    key_results = await uow.key_results.of_objectives(sorted({o.id for o in objectives}))
    key_results += await uow.key_results.in_column("owner_person_id", [person_id])
    candidates |= spread | led | {o.id for o in objectives} | {h.id for h in handoffs} | {k.id for k in key_results}
    resolved = await Resolver(uow, today).resolve(sorted(candidates))
    return {s for s, found in resolved.items() if found.holds(person_id)}


@dataclass
class Matrix:
    unit_id: str
    parties: list[tuple[str, str, str]]  # (type, id, name)
    rows: list[tuple[Resolution, dict[str, list[str]], bool]]  # (subject, party id → letters, implicit A)

    def resource(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "parties": [{"party_type": t, "party_id": i, "name": n} for t, i, n in self.parties],
            "rows": [
                {
                    "subject_type": r.subject.type,
                    "subject_id": r.subject.id,
                    "title": r.subject.title,
                    "cells": cells,
                    "accountable_is_implicit": implicit,
                }
                for r, cells, implicit in self.rows
            ],
        }

    def csv(self) -> str:
        """A grid: a row per subject, a column per party, each cell the letters (`R/A`; an implicit A is
        `A (implicit)`)."""
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\r\n")
        header = [f"{spreadsheet_safe(n)} ({t} {i})" for t, i, n in self.parties]
        w.writerow(["subject_type", "subject_id", "subject", *header])
        for r, cells, implicit in self.rows:
            row = [r.subject.type, r.subject.id, spreadsheet_safe(r.subject.title)]
            for _t, i, _n in self.parties:
                letters = cells.get(i, [])
                row.append("/".join(x if not (x == "A" and implicit) else "A (implicit)" for x in letters))
            w.writerow(row)
        return out.getvalue()


async def matrix(uow: UnitOfWork, today: date, unit_id: str, kinds: set[str]) -> Matrix:
    """A unit's subjects (itself, the objectives it owns and their key results, the handoffs from or to it)
    × the parties that hold a letter on them (entries of their own or inherited, and the people standing in
    for a missing A). `kinds`: the kinds of subject the caller may read (the others' rows are left out)."""
    unit = await uow.units.get(unit_id)
    if unit is None:
        raise NotFound(f"No unit {unit_id}.")
    objectives: list[Objective] = []
    key_results: list[KeyResult] = []
    if "objective" in kinds:
        objectives = sorted(await uow.objectives.of_owner_units([unit_id]), key=lambda o: o.id)
        key_results = await uow.key_results.of_objectives([o.id for o in objectives])
    handoffs: dict[str, Handoff] = {}
    if "handoff" in kinds:
        handoffs = {h.id: h for h in await uow.handoffs.addressed_to([unit_id]) + await uow.handoffs.sent_by([unit_id])}
    order = [unit_id]
    for o in objectives:
        order += [o.id, *sorted(k.id for k in key_results if k.objective_id == o.id)]
    order += sorted(handoffs)
    resolver = Resolver(uow, today)
    resolved = await resolver.resolve(order)
    parties: dict[tuple[str, str], None] = {}
    rows = []
    for subject_id in order:
        r = resolved.get(subject_id)
        if r is None:
            continue
        cells: dict[str, list[str]] = {}
        for a in r.entries:
            if a.applies:
                parties[(a.entry.party_type, a.entry.party_id)] = None
                cells.setdefault(a.entry.party_id, []).append(a.entry.letter)
        if r.accountable_is_implicit and r.letters["A"]:
            person = r.letters["A"][0].person
            parties[("person", person.id)] = None
            cells.setdefault(person.id, []).append("A")
        for letters in cells.values():
            letters.sort(key=LETTERS.index)
        rows.append((r, {k: list(dict.fromkeys(v)) for k, v in cells.items()}, r.accountable_is_implicit))
    names = await _names(uow, resolver, list(parties))
    columns = sorted(((t, i, names.get(i, i)) for t, i in parties), key=lambda x: (PARTY_ORDER[x[0]], x[2], x[1]))
    return Matrix(unit_id, columns, rows)


async def _names(uow: UnitOfWork, resolver: Resolver, parties: list[tuple[str, str]]) -> dict[str, str]:
    ids = {t: sorted(i for k, i in parties if k == t) for t in PARTY_ORDER}
    names = {u.id: u.name for u in await uow.units.get_many(ids["unit"])} if ids["unit"] else {}
    if ids["role"]:
        names.update({r.id: r.name for r in await uow.roles.get_many(ids["role"])})
    missing = [i for i in ids["person"] if i not in resolver.people]
    people = list(resolver.people.values()) + (await uow.people.get_many(missing) if missing else [])
    names.update({p.id: f"{p.given_name} {p.family_name}" for p in people if p.id in ids["person"]})
    return names
