"""Shared objectives' use cases: objectives here, key results in `key_results.py`, check-ins in
`check_ins.py`, the roll-up in `base.py`. REST and GraphQL both call these."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from app.domain.changes import (
    check_version,
    ensure_external_refs_free,
    forget_raci,
    refuse_nulls,
    refuse_read_only,
)
from app.domain.errors import Conflict, ErrorList, FieldError, Invalid, NotFound
from app.domain.fields import stored
from app.domain.model import ListQuery, Page, matches_query
from app.domain.objectives.base import (
    HEALTH,
    READ,
    REMINDER,
    WRITE,
)
from app.domain.objectives.check_ins import CheckInUseCases
from app.domain.objectives.health import next_midnight
from app.domain.objectives.model import (
    HEALTHS,
    OBJECTIVE_DEFAULTS,
    OBJECTIVE_FIELDS,
    OBJECTIVE_STATUS,
    OBJECTIVE_STATUSES,
    OBJECTIVE_WRITABLE,
    Objective,
    check_objective,
    periods_overlap,
)
from app.domain.objectives.progress import Explanation, explain, health
from app.domain.patch import patched
from app.domain.reads import read_one, read_page

__all__ = ["READ", "WRITE", "Objectives"]


class Objectives(CheckInUseCases):
    """Every use case of shared objectives, for one caller."""

    async def get_objective(self, objective_id: str, as_of: datetime | None = None) -> Objective:
        self.readable()
        return await read_one(self.uow.objectives, objective_id, as_of, "objective")

    async def list_objectives(self, query: ListQuery, as_of: datetime | None = None) -> Page[Objective]:
        self.readable()
        errors = ErrorList()
        for name, choices in (("status", OBJECTIVE_STATUSES), ("health", HEALTHS)):
            if name in query.filters and query.filters[name] not in choices:
                errors.add(f"/{name}", f"must be one of: {', '.join(choices)}")
        errors.raise_if_any("The filters are invalid.")
        return await read_page(self.uow.objectives, query, as_of, _matches)

    async def unit_objectives(self, unit_id: str, query: ListQuery, include_contributing: bool) -> Page[Objective]:
        """What a unit owns, and with `include_contributing`, what it contributes to."""
        self.readable()
        if await self.uow.units.get(unit_id) is None:
            raise NotFound(f"No unit {unit_id}.")
        name = "involves_unit_id" if include_contributing else "owner_unit_id"
        return await self.uow.objectives.list(replace(query, filters={**query.filters, name: unit_id}))

    async def create_objective(self, fields: dict[str, Any]) -> Objective:
        self._org(WRITE)
        fields = {**OBJECTIVE_DEFAULTS, **{k: v for k, v in fields.items() if v is not None}}
        check_objective(fields, creating=True)
        await self._lock_for(fields)
        await self._check_refs(fields)
        await self._check_alignment(fields, None)
        await ensure_external_refs_free(self.uow.objectives, fields["external_refs"], None)
        now = self.clock.now()
        objective = self._new(Objective, "obj", **stored(fields, OBJECTIVE_FIELDS))
        objective.health = health(objective, 0.0, [], now, await self.time_zone())  # as the roll-up would judge it
        await self._add(self.uow.objectives, objective, "objective.created")
        await self.roll_up([objective.id, objective.parent_id])
        await self.uow.jobs.schedule(HEALTH, objective.id, next_midnight(now, await self.time_zone()))
        return await self._objective(objective.id)

    async def update_objective(
        self, objective_id: str, patch: dict[str, Any], expected_version: int | None = None
    ) -> Objective:
        self._org(WRITE)
        refuse_read_only(patch, OBJECTIVE_WRITABLE)
        refuse_nulls(patch, OBJECTIVE_FIELDS)
        await self._lock_for(patch)
        objective = await self._objective(objective_id, for_update=True)
        check_version(objective, expected_version)
        merged = patched(objective, patch, OBJECTIVE_WRITABLE)
        check_objective(merged, creating=False)
        await self._check_refs(merged, objective)
        await self._check_alignment(merged, objective)
        await ensure_external_refs_free(
            self.uow.objectives, merged["external_refs"], objective.id, objective.external_refs
        )
        event = "objective.updated"
        if merged["status"] != objective.status:
            event = OBJECTIVE_STATUS.to(objective.status, merged["status"]).event or event
        changed = replace(objective, **stored(merged, OBJECTIVE_FIELDS, patch))
        previous = await self._save_changes(self.uow.objectives, objective, changed)
        if not previous:
            return objective
        self._record(event, changed.resource(), previous)
        moved = {"parent_id", "alignment_weight", "status"} & set(previous)
        await self.roll_up([changed.id, changed.parent_id if moved else None, objective.parent_id if moved else None])
        if changed.status in ("achieved", "missed", "cancelled"):
            await self.uow.jobs.cancel(HEALTH, changed.id)
            for kr in await self.uow.key_results.of_objectives([changed.id]):
                await self.uow.jobs.cancel(REMINDER, kr.id)
        return await self._objective(changed.id)

    async def delete_objective(self, objective_id: str, expected_version: int | None = None) -> None:
        """An objective with aligned children, or whose key results hold check-ins, stays (409)."""
        self._org(WRITE)
        await self.uow.objectives.lock_structure()
        objective = await self._objective(objective_id, for_update=True)
        check_version(objective, expected_version)
        if await self.uow.objectives.has_children(objective_id):
            raise Conflict(f"{objective_id} has aligned objectives; move or delete them first.")
        key_results = await self.uow.key_results.of_objectives([objective_id])
        if key_results and await self.uow.check_ins.count_of([k.id for k in key_results]):
            raise Conflict(
                f"The key results of {objective_id} hold check-ins, which are a record: cancel the objective instead."
            )
        for kr in key_results:
            await self.uow.jobs.cancel(REMINDER, kr.id)
            await self.uow.key_results.delete(kr)
            self._record("key_result.deleted", kr.resource())
        await self.uow.jobs.cancel(HEALTH, objective.id)
        await self.uow.objectives.delete(objective)
        self._record("objective.deleted", objective.resource())
        await forget_raci(self.uow, [objective.id, *(kr.id for kr in key_results)], self._record)
        await self.roll_up([objective.parent_id])

    async def upsert_objective(self, system: str, external_id: str, fields: dict[str, Any]) -> tuple[Objective, bool]:
        self._org(WRITE)
        return await self._upsert(
            self.uow.objectives,
            system,
            external_id,
            fields,
            self.create_objective,
            lambda e, p: self.update_objective(e.id, p),
            OBJECTIVE_FIELDS,
            defaults=OBJECTIVE_DEFAULTS,  # left out, the status stays (it is `kept`)
        )

    async def explain_progress(self, objective_id: str) -> Explanation:
        """Every input of the objective's progress, with its value, weight and share."""
        self.readable()
        objective = await self._objective(objective_id)
        key_results = await self.uow.key_results.of_objectives([objective_id])
        children = await self.uow.objectives.children_of([objective_id])
        return explain(objective, key_results, children)

    async def _lock_for(self, fields: dict[str, Any]) -> None:
        """The locks a change of these fields needs before it reads anything: the alignment tree's when the
        parent or the period changes (cycles, and periods that must overlap, are decided under it); the
        units' when the owner or contributors change (so that a unit is not deleted meanwhile: its
        deletion takes that lock and then looks for objectives that name it)."""
        if {"parent_id", "period_start", "period_end"} & set(fields):
            await self.uow.objectives.lock_structure()
        if {"owner_unit_id", "contributor_unit_ids"} & set(fields):
            await self.uow.units.lock_structure()

    async def _check_alignment(self, fields: dict[str, Any], before: Objective | None) -> None:
        """Under the structure lock when the parent changes: no cycle (409); the period overlaps the
        parent's and every child's (422)."""
        parent_id = fields.get("parent_id")
        start, end = fields["period_start"], fields["period_end"]
        if parent_id and (before is None or parent_id != before.parent_id or _period_changed(fields, before)):
            if before is not None and (
                parent_id == before.id or before.id in {a.id for a in await self.uow.objectives.ancestors(parent_id)}
            ):
                raise Conflict(f"Aligning {before.id} under {parent_id} would make a cycle.", field="/parent_id")
            parent = await self.uow.objectives.get(parent_id)
            if parent is not None and not periods_overlap(start, end, parent.period_start, parent.period_end):
                raise Invalid(
                    "An aligned objective's period must overlap its parent's.",
                    [FieldError("/period_start", f"does not overlap the period of {parent_id}", "period")],
                )
        if before is not None and _period_changed(fields, before):
            outside = [
                c.id
                for c in await self.uow.objectives.children_of([before.id])
                if not periods_overlap(start, end, c.period_start, c.period_end)
            ]
            if outside:
                raise Invalid(
                    "The period must overlap the periods of the objectives aligned to this one.",
                    [FieldError("/period_start", f"does not overlap the period of {outside[0]}", "period")],
                )


def _period_changed(fields: dict[str, Any], before: Objective) -> bool:
    return bool(fields["period_start"] != before.period_start or fields["period_end"] != before.period_end)


def _matches(o: Objective, query: ListQuery) -> bool:
    special = {"involves_unit_id", "contributor_unit_id"}
    if not matches_query(o, replace(query, filters={k: v for k, v in query.filters.items() if k not in special})):
        return False
    unit = query.filters.get("contributor_unit_id")
    if unit is not None and unit not in o.contributor_unit_ids:
        return False
    involved = query.filters.get("involves_unit_id")
    return involved is None or involved == o.owner_unit_id or involved in o.contributor_unit_ids
