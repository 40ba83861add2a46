"""The org chart's use cases: units here, people in `people.py`, memberships in `memberships.py`, batched reads in
`batches.py`. REST and GraphQL both call these, so that they cannot disagree."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from app.domain.changes import ensure_external_refs_free, forget_raci
from app.domain.errors import Conflict, ErrorList
from app.domain.fields import stored
from app.domain.model import ListQuery, Page, every_page
from app.domain.org_chart import tree
from app.domain.org_chart.batches import OrgChartBatches
from app.domain.org_chart.common import (
    READ,
    UNIT_FIELDS,
    WRITE,
    bounded,
    refuse_read_only,
)
from app.domain.org_chart.model import (
    UNIT_DECLARED,
    UNIT_DEFAULTS,
    Unit,
    check_unit,
)
from app.domain.org_chart.people import PeopleUseCases
from app.domain.patch import cleared, patched
from app.domain.reads import read_one, read_page

__all__ = ["READ", "WRITE", "OrgChart", "OrgChartBatches"]


class OrgChart(PeopleUseCases):
    """Every org-chart use case, for one caller."""

    # --- units ---------------------------------------------------------------------------------------

    async def get_unit(self, unit_id: str, as_of: datetime | None = None) -> Unit:
        self.readable_organization(self.principal)
        return await read_one(self.uow.units, unit_id, as_of, "unit")

    async def list_units(self, query: ListQuery, as_of: datetime | None = None) -> Page[Unit]:
        self.readable_organization(self.principal)
        return await read_page(self.uow.units, query, as_of)

    async def create_unit(self, fields: dict[str, Any]) -> Unit:
        self._org(WRITE)
        fields = {**UNIT_DEFAULTS, **{k: v for k, v in fields.items() if v is not None}}  # null: the default
        errors = ErrorList()
        check_unit(fields, errors, creating=True)
        errors.raise_if_any()
        await self._check_unit_refs(fields)
        await ensure_external_refs_free(self.uow.units, fields["external_refs"], None)
        unit = self._new(Unit, "unit", **stored(fields, UNIT_DECLARED))
        await self._add(self.uow.units, unit, "unit.created")
        return unit

    async def update_unit(self, unit_id: str, patch: dict[str, Any], expected_version: int | None = None) -> Unit:
        self._org(WRITE)
        refuse_read_only(patch, UNIT_FIELDS)
        if "parent_id" in patch:
            await self.uow.units.lock_structure()
        unit = await self._to_change(self.uow.units, unit_id, "unit", expected_version)
        merged = cleared(patched(unit, patch, UNIT_FIELDS), external_refs={}, links=[])  # null clears them
        errors = ErrorList()
        check_unit(merged, errors, creating=True)
        errors.raise_if_any()
        await self._check_unit_refs(merged, unit)
        new_parent = merged.get("parent_id")
        if new_parent and new_parent != unit.parent_id and await self._would_cycle(unit.id, new_parent):
            raise Conflict(f"Moving {unit.id} under {new_parent} would make a cycle.", field="/parent_id")
        await ensure_external_refs_free(self.uow.units, merged["external_refs"], unit.id, unit.external_refs)
        changed_unit = replace(unit, **stored(merged, UNIT_DECLARED, patch))
        changed = await self._save_changes(self.uow.units, unit, changed_unit)
        if not changed:
            return unit
        self._record("unit.moved" if "parent_id" in changed else "unit.updated", changed_unit.resource(), changed)
        return changed_unit

    async def _would_cycle(self, unit_id: str, new_parent_id: str) -> bool:
        """Read under the structure lock: no concurrent move can slip in between this and the write."""
        return new_parent_id == unit_id or unit_id in {a.id for a in await self.uow.units.ancestors(new_parent_id)}

    async def delete_unit(self, unit_id: str, expected_version: int | None = None) -> None:
        self._org(WRITE)
        await self.uow.units.lock_structure()
        unit = await self._to_change(self.uow.units, unit_id, "unit", expected_version)
        if await self.uow.units.has_children(unit_id):
            raise Conflict(f"{unit_id} still has child units; move or delete them first.")
        today = self.clock.now().date()
        if any(m.ends_on is None or m.ends_on >= today for m in await self.uow.memberships.of_units([unit_id])):
            raise Conflict(f"{unit_id} still has members; end their memberships first.")
        if (await self.uow.objectives.list(ListQuery(limit=1, filters={"involves_unit_id": unit_id}))).items:
            raise Conflict(f"{unit_id} owns or contributes to objectives; realign them first.")
        if await self.uow.roles.in_column("unit_id", [unit_id]):
            raise Conflict(f"{unit_id} owns roles; give them another unit or none first.")
        if await self.uow.role_assignments.in_column("unit_id", [unit_id]):
            raise Conflict(f"{unit_id} scopes role assignments; change or delete them first.")
        await self.uow.units.delete(unit)
        self._record("unit.deleted", unit.resource())
        await forget_raci(self.uow, [unit_id], self._record)

    async def upsert_unit(self, system: str, external_id: str, fields: dict[str, Any]) -> tuple[Unit, bool]:
        self._org(WRITE)
        return await self._upsert(
            self.uow.units, system, external_id, fields, self.create_unit, lambda e, p: self.update_unit(e.id, p),
            defaults=UNIT_DEFAULTS,
        )  # fmt: skip

    async def _check_unit_refs(self, fields: dict[str, Any], before: Unit | None = None) -> None:
        """The units and people named exist (those the unit already named were checked when it named them)."""
        errors = ErrorList()
        parent, lead = fields.get("parent_id"), fields.get("lead_person_id")
        if parent and (before is None or parent != before.parent_id) and await self.uow.units.get(parent) is None:
            errors.add("/parent_id", "no such unit in this organization", "not_found")
        if lead and (before is None or lead != before.lead_person_id) and await self.uow.people.get(lead) is None:
            errors.add("/lead_person_id", "no such person in this organization", "not_found")
        errors.raise_if_any()

    async def descendants(
        self, unit_id: str, max_depth: int | None, as_of: datetime | None = None, max_units: int | None = None
    ) -> list[tuple[Unit, int]]:
        await self.get_unit(unit_id, as_of)
        if as_of is None:
            found = await self.uow.units.descendants(unit_id, max_depth)
        else:
            found = tree.descendants(await self.uow.units.at(as_of), unit_id, max_depth)
        if max_units is not None:
            bounded(len(found), max_units, "/max_depth")
        return found

    async def ancestors(self, unit_id: str, as_of: datetime | None = None) -> list[Unit]:
        await self.get_unit(unit_id, as_of)
        if as_of is None:
            return await self.uow.units.ancestors(unit_id)
        return tree.ancestors(await self.uow.units.at(as_of), unit_id)

    async def org_chart(
        self, root_id: str | None, max_depth: int | None, as_of: datetime | None = None, max_units: int = 10_000
    ) -> list[dict[str, Any]]:
        """The nested tree: each unit with its members (person and membership) and its children; at most
        `max_units` units (Invalid beyond: the caller narrows it, or pages the flat list of units)."""
        self.readable_organization(self.principal)
        if root_id is not None:
            root = await self.get_unit(root_id, as_of)
            units = [root] + [u for u, _ in await self.descendants(root_id, max_depth, as_of)]
        elif as_of is None:
            units = await self._all_units()
        else:
            units = await self.uow.units.at(as_of)
        bounded(len(units), max_units, "/root_id" if root_id else "/max_depth")
        unit_ids = [u.id for u in units]
        day = (as_of or self.clock.now()).date()
        if as_of is None:
            memberships = [m for m in await self.uow.memberships.of_units(unit_ids) if m.active_on(day)]
            people = {p.id: p for p in await self.uow.people.get_many(sorted({m.person_id for m in memberships}))}
        else:
            wanted = set(unit_ids)
            memberships = [m for m in await self.uow.memberships.at(as_of) if m.unit_id in wanted and m.active_on(day)]
            people = {p.id: p for p in await self.uow.people.at(as_of)}
        members: dict[str, list[dict[str, Any]]] = {}
        for m in sorted(memberships, key=lambda m: m.id):
            person = people.get(m.person_id)
            if person is not None:
                members.setdefault(m.unit_id, []).append(
                    {
                        "person": person.resource(),
                        "membership": {"id": m.id, "title": m.title, "kind": m.kind, "primary": m.primary},
                    }
                )
        nodes = {u.id: {**u.resource(), "members": members.get(u.id, []), "children": []} for u in units}
        roots: list[dict[str, Any]] = []
        for u in sorted(units, key=lambda u: u.id):
            parent = nodes.get(u.parent_id) if u.parent_id and u.id != root_id else None
            (parent["children"] if parent is not None else roots).append(nodes[u.id])
        if root_id is None and max_depth is not None:

            def prune(node: dict[str, Any], depth: int) -> None:
                if depth >= max_depth:
                    node["children"] = []
                for child in node["children"]:
                    prune(child, depth + 1)

            for r in roots:
                prune(r, 0)
        return roots

    async def roots(self, as_of: datetime | None = None) -> list[Unit]:
        """The units at the top of the chart (no parent), now or at `as_of`."""
        self.readable_organization(self.principal)
        if as_of is not None:
            return sorted((u for u in await self.uow.units.at(as_of) if u.parent_id is None), key=lambda u: u.id)
        return await every_page(self.uow.units, ListQuery(limit=200, filters={"parent_id": None}))

    async def _all_units(self) -> list[Unit]:
        return await every_page(self.uow.units, ListQuery(limit=5000))
