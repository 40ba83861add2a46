"""POST /v1/sync/org-chart: an ERP pushes its units and people keyed by its own ids, in one transaction.

The whole batch is checked before anything is written, and every bad row is reported (a JSON pointer
to its field). Then each object is created, updated or left alone: the same payload twice changes
nothing and records no event. Writes go in bulk, parents before children."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from app.domain.changes import record
from app.domain.clock import SYSTEM_CLOCK
from app.domain.errors import ErrorList, Invalid
from app.domain.fields import only, stored
from app.domain.ids import new_id
from app.domain.model import SYSTEM_RULE, check_external_ref, system_ok
from app.domain.org_chart.model import (
    PERSON_DECLARED,
    UNIT_DECLARED,
    Membership,
    Person,
    Unit,
    check_person,
    check_unit,
    email_key,
)
from app.domain.patch import previous_attributes
from app.domain.ports import Clock, UnitOfWork
from app.domain.principal import Principal

DEFAULT_KIND = "department"

# The declared fields a feed's rows carry (the rest are its own: external ids of the parent, manager, unit),
# kept as every use case keeps them (`stored()`: names trimmed).
SYNCED_UNIT_FIELDS = only(UNIT_DECLARED, ["name"])
SYNCED_PERSON_FIELDS = only(PERSON_DECLARED, ["given_name", "family_name", "email", "title"])


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class Plan:
    new: list[Any] = field(default_factory=list)
    changed: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)


def _cycle_rows(parent_of: dict[str, str | None]) -> set[str]:
    """The nodes that sit on a cycle of the given parent links."""
    on_cycle: set[str] = set()
    state: dict[str, int] = {}
    for start in parent_of:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in parent_of and state.get(node, 0) == 0:
            state[node] = 1
            path.append(node)
            node = parent_of[node]
        if node is not None and state.get(node) == 1:
            on_cycle.update(path[path.index(node) :])
        for n in path:
            state[n] = 2
    return on_cycle


def _parents_first(items: list[Any], parent: str) -> list[Any]:
    """Order new objects so that each comes after the new object it points to."""
    ids = {x.id for x in items}
    placed: set[str] = set()
    out: list[Any] = []
    pending = items
    while pending:
        rest = []
        for x in pending:
            p = getattr(x, parent)
            if p is None or p not in ids or p in placed:
                out.append(x)
                placed.add(x.id)
            else:
                rest.append(x)
        if len(rest) == len(pending):  # cannot happen after the cycle check; never loop forever
            out.extend(rest)
            break
        pending = rest
    return out


class OrgChartSync:
    def __init__(self, uow: UnitOfWork, principal: Principal, clock: Clock = SYSTEM_CLOCK) -> None:
        self.uow, self.principal, self.clock = uow, principal, clock

    async def run(self, system: str, units: list[dict[str, Any]], people: list[dict[str, Any]]) -> dict[str, Any]:
        self.principal.require("org:write")
        org = self.principal.require_organization()
        errors = ErrorList()
        if not system_ok(system):
            errors.add("/system", f"must match {SYSTEM_RULE}")
        await self.uow.units.lock_structure()
        await self.uow.people.lock_structure()
        await self.uow.memberships.lock_primaries()  # as the membership commands do: one primary per person
        existing_units = await self.uow.units.by_system(system)
        existing_people = await self.uow.people.by_system(system)

        unit_rows = self._check_rows(units, "units", errors, system)
        person_rows = self._check_rows(people, "people", errors, system)
        for i, row in unit_rows.values():
            check_unit(
                {"name": row.get("name"), "kind": row.get("kind") or DEFAULT_KIND}, errors, f"/units/{i}", creating=True
            )
            parent = row.get("parent_external_id")
            if parent is not None and parent not in unit_rows and parent not in existing_units:
                errors.add(f"/units/{i}/parent_external_id", f"no unit with {system} id {parent!r}", "not_found")
        for i, row in person_rows.values():
            fields = {k: row.get(k) for k in ("given_name", "family_name", "email")} | {"status": "active"}
            if row.get("title") is not None:
                fields["title"] = row["title"]
            check_person(fields, errors, f"/people/{i}", creating=True)
            for ref, pool, kind in (
                ("manager_external_id", (person_rows, existing_people), "person"),
                ("unit_external_id", (unit_rows, existing_units), "unit"),
            ):
                value = row.get(ref)
                if value is not None and all(value not in p for p in pool):
                    errors.add(f"/people/{i}/{ref}", f"no {kind} with {system} id {value!r}", "not_found")
        await self._check_cycles(unit_rows, existing_units, "parent_external_id", "parent_id", "units", errors)
        await self._check_cycles(person_rows, existing_people, "manager_external_id", "manager_id", "people", errors)
        await self._check_emails(person_rows, existing_people, errors)
        if errors.items:
            raise Invalid(f"{len(errors.items)} problem(s) in the batch; nothing was changed.", errors.items)

        now = self.clock.now()
        unit_ids = {ext: u.id for ext, u in existing_units.items()} | {
            ext: new_id("unit") for ext in unit_rows if ext not in existing_units
        }
        person_ids = {ext: p.id for ext, p in existing_people.items()} | {
            ext: new_id("person") for ext in person_rows if ext not in existing_people
        }

        unit_plan = Plan()
        for ext, (_i, row) in unit_rows.items():
            parent = row.get("parent_external_id")
            wanted = {**stored(row, SYNCED_UNIT_FIELDS), "parent_id": unit_ids[parent] if parent else None}
            current = existing_units.get(ext)
            wanted["kind"] = row.get("kind") or (current.kind if current else DEFAULT_KIND)
            self._plan(unit_plan, current, Unit(id=unit_ids[ext], organization_id=org, created_at=now,
                       updated_at=now, external_refs={system: ext}, **wanted), wanted, now)  # fmt: skip
        person_plan = Plan()
        for ext, (_i, row) in person_rows.items():
            manager = row.get("manager_external_id")
            wanted = {**stored(row, SYNCED_PERSON_FIELDS), "manager_id": person_ids[manager] if manager else None}
            person_now = existing_people.get(ext)
            self._plan(person_plan, person_now, Person(id=person_ids[ext], organization_id=org, created_at=now,
                       updated_at=now, external_refs={system: ext}, **wanted), wanted, now)  # fmt: skip

        await self.uow.units.add_many(_parents_first(unit_plan.new, "parent_id"))
        await self.uow.units.save_many([u for u, _ in unit_plan.changed])
        await self.uow.people.add_many(_parents_first(person_plan.new, "manager_id"))
        await self.uow.people.save_many([p for p, _ in person_plan.changed])
        for u in unit_plan.new:
            record(self.uow, self.principal, self.clock, "unit.created", u.resource(), org)
        for u, prev in unit_plan.changed:
            kind = "unit.moved" if "parent_id" in prev else "unit.updated"
            record(self.uow, self.principal, self.clock, kind, u.resource(), org, prev)
        for p in person_plan.new:
            record(self.uow, self.principal, self.clock, "person.created", p.resource(), org)
        for p, prev in person_plan.changed:
            record(self.uow, self.principal, self.clock, "person.updated", p.resource(), org, prev)

        moved = await self._primary_memberships(person_rows, person_ids, unit_ids, org)
        for ext in moved:  # a new primary unit is a change of the person, even when its fields are the same
            if ext in existing_people and all(p.id != person_ids[ext] for p, _ in person_plan.changed):
                person_plan.counts.unchanged -= 1
                person_plan.counts.updated += 1
        unit_plan.counts.created = len(unit_plan.new)
        person_plan.counts.created = len(person_plan.new)
        return {"units": unit_plan.counts.as_dict(), "people": person_plan.counts.as_dict()}

    @staticmethod
    def _check_rows(
        rows: list[dict[str, Any]], name: str, errors: ErrorList, system: str
    ) -> dict[str, tuple[int, dict[str, Any]]]:
        out: dict[str, tuple[int, dict[str, Any]]] = {}
        for i, row in enumerate(rows):
            ext = row.get("external_id")
            if not isinstance(ext, str) or not ext.strip():
                errors.add(f"/{name}/{i}/external_id", "is required", "required")
                continue
            before = len(errors.items)
            for ref in ("external_id", "parent_external_id", "manager_external_id", "unit_external_id"):
                if row.get(ref) is not None:
                    check_external_ref(system, row[ref], errors, f"/{name}/{i}/{ref}")
            if len(errors.items) > before:
                continue
            if ext in out:
                errors.add(f"/{name}/{i}/external_id", f"repeats row {out[ext][0]}", "duplicate")
            else:
                out[ext] = (i, row)
        return out

    async def _check_cycles(
        self,
        rows: dict[str, tuple[int, dict[str, Any]]],
        existing: dict[str, Any],
        ref: str,
        attr: str,
        name: str,
        errors: ErrorList,
    ) -> None:
        """The links as they would stand after the batch, over the whole organization (objects of other
        systems and of none included), and refuse the rows that sit on a cycle."""
        repo = self.uow.units if name == "units" else self.uow.people
        links = await repo.links(attr)

        def node(ext: str) -> str:
            return existing[ext].id if ext in existing else f"new:{ext}"

        for ext, (_i, row) in rows.items():
            target = row.get(ref)
            links[node(ext)] = node(target) if target is not None else None
        on_cycle = _cycle_rows(links)
        for ext, (i, _row) in rows.items():
            if node(ext) in on_cycle:
                errors.add(f"/{name}/{i}/{ref}", "makes a cycle", "cycle")

    async def _check_emails(
        self, rows: dict[str, tuple[int, dict[str, Any]]], existing: dict[str, Person], errors: ErrorList
    ) -> None:
        seen: dict[str, int] = {}
        keys = {}
        for ext, (i, row) in rows.items():
            if not isinstance(row.get("email"), str):
                continue
            key = email_key(row["email"])
            if key in seen:
                errors.add(f"/people/{i}/email", f"repeats the email of row {seen[key]}", "duplicate")
            seen[key] = i
            keys[key] = ext
        for key, holder in await self.uow.people.emails(list(keys)):
            ext = keys[key]
            current = existing.get(ext)
            if current is None or current.id != holder:
                # Held by someone else (as their email, or as the name they sign in by), in this system or
                # not: moving emails between people in one batch would break uniqueness row by row, so it is
                # refused here with the row, not at the index.
                errors.add(f"/people/{rows[ext][0]}/email", f"belongs to {holder}", "conflict")

    def _plan(self, plan: Plan, current: Any, new: Any, wanted: dict[str, Any], now: Any) -> None:
        """A row of the feed: `new` when no object carries its ref yet, else the change to `current`."""
        if current is None:
            plan.new.append(new)
            return
        updated = replace(current, **wanted)
        prev = previous_attributes(current.resource(), updated.resource())
        if not prev:
            plan.counts.unchanged += 1
            return
        updated.touch(now)
        plan.changed.append((updated, prev))
        plan.counts.updated += 1

    async def _primary_memberships(
        self,
        rows: dict[str, tuple[int, dict[str, Any]]],
        person_ids: dict[str, str],
        unit_ids: dict[str, str],
        org: str,
    ) -> list[str]:
        """`unit_external_id` is the person's primary membership: start it, or move it from another unit
        (the old one ends yesterday, the new one starts today; one that started today is corrected in place).
        Absent or null leaves memberships alone."""
        wanted = {
            ext: unit_ids[row["unit_external_id"]] for ext, (_i, row) in rows.items() if row.get("unit_external_id")
        }
        if not wanted:
            return []
        today = self.clock.now().date()
        current: dict[str, list[Membership]] = {}
        for m in await self.uow.memberships.of_people([person_ids[e] for e in wanted]):
            if m.primary and m.active_on(today):
                current.setdefault(m.person_id, []).append(m)
        now = self.clock.now()
        new: list[Membership] = []
        ended: list[tuple[Membership, dict[str, Any]]] = []
        corrected: list[tuple[Membership, dict[str, Any]]] = []
        moved: list[str] = []
        for ext, unit_id in wanted.items():
            pid = person_ids[ext]
            actives = current.get(pid, [])
            if any(m.unit_id == unit_id for m in actives):
                continue
            same_day = [m for m in actives if m.starts_on is not None and m.starts_on >= today]
            if same_day:  # started today: a correction of today's assignment, not a move with history
                fixed = replace(same_day[0], unit_id=unit_id)
                fixed.touch(now)
                corrected.append((fixed, {"unit_id": same_day[0].unit_id}))
                moved.append(ext)
                continue
            for m in actives:
                closed = replace(m, ends_on=today - timedelta(days=1))
                closed.touch(now)
                ended.append((closed, {"ends_on": None}))
            new.append(
                Membership(
                    id=new_id("mbr"),
                    organization_id=org,
                    created_at=now,
                    updated_at=now,
                    person_id=pid,
                    unit_id=unit_id,
                    kind="member",
                    primary=True,
                    starts_on=today,
                )
            )
            moved.append(ext)
        await self.uow.memberships.save_many([m for m, _ in ended] + [m for m, _ in corrected])
        await self.uow.memberships.add_many(new)
        for m, prev in corrected:
            record(self.uow, self.principal, self.clock, "membership.updated", m.resource(), org, prev)
        for m, prev in ended:
            record(self.uow, self.principal, self.clock, "membership.ended", m.resource(), org, prev)
        for m in new:
            record(self.uow, self.principal, self.clock, "membership.created", m.resource(), org)
        return moved
