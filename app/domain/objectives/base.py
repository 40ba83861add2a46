"""What the objectives' use cases share: the caller's scopes, the organization's time zone, the checks of
references, and the roll-up."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from app.domain.changes import record
from app.domain.clock import SYSTEM_CLOCK
from app.domain.errors import ErrorList, FieldError, Invalid, NotFound
from app.domain.objectives.model import Objective
from app.domain.objectives.progress import explain, health
from app.domain.ports import Clock, UnitOfWork, VersionedRepository
from app.domain.principal import Principal

READ, WRITE = "objectives:read", "objectives:write"
MAX_WALK = 10_000  # a bound on walks up the alignment tree, which has no cycle; it only guarantees an end
REMINDER = "key_result.check_in_due"  # the timed job that reminds a key result's owner to check in
HEALTH = "objective.health"  # the timed job that re-evaluates an open objective's health each day


class ObjectivesBase:
    def __init__(
        self, uow: UnitOfWork, principal: Principal, clock: Clock = SYSTEM_CLOCK, actor: dict[str, Any] | None = None
    ) -> None:
        self.uow, self.principal, self.clock = uow, principal, clock
        self.actor = actor  # who events name, when not the principal (the scheduler)
        self._zone: str | None = None

    def _org(self, scope: str) -> str:
        self.principal.require(scope)
        return self.principal.require_organization()

    def readable(self) -> str:
        return self._org(READ)

    def _record(self, event_type: str, obj: dict[str, Any], previous: dict[str, Any] | None = None) -> None:
        org = self.principal.require_organization()
        record(self.uow, self.principal, self.clock, event_type, obj, org, previous, self.actor)

    async def time_zone(self) -> str:
        """The organization's IANA time zone: the day its periods and cadences count in."""
        if self._zone is None:
            org = await self.uow.organizations.get(self.principal.require_organization())
            self._zone = org.time_zone if org is not None else "UTC"
        return self._zone

    async def _check_refs(self, fields: dict[str, Any], before: Any = None) -> None:
        """The units, people and objectives named exist in this organization (what the object already named
        was checked when it named it): 422 `not_found` on the field."""
        errors = ErrorList()
        repos: dict[str, VersionedRepository[Any]] = {
            "unit": self.uow.units,
            "person": self.uow.people,
            "obj": self.uow.objectives,
        }
        wanted: dict[str, list[tuple[str, str]]] = {}
        for name, prefix in (
            ("owner_unit_id", "unit"),
            ("owner_person_id", "person"),
            ("parent_id", "obj"),
            ("objective_id", "obj"),
        ):
            value = fields.get(name)
            if value and (before is None or value != getattr(before, name, None)):
                wanted.setdefault(prefix, []).append((f"/{name}", value))
        old = set(getattr(before, "contributor_unit_ids", []) or [])
        for i, unit_id in enumerate(fields.get("contributor_unit_ids") or []):
            if unit_id not in old:
                wanted.setdefault("unit", []).append((f"/contributor_unit_ids/{i}", unit_id))
        for prefix, refs in wanted.items():
            found = {x.id for x in await repos[prefix].get_many(sorted({v for _, v in refs}))}
            for pointer, value in refs:
                if value not in found:
                    errors.add(pointer, "no such object in this organization", "not_found")
        errors.raise_if_any()

    async def _objective(self, objective_id: str, *, for_update: bool = False) -> Objective:
        found = await self.uow.objectives.get(objective_id, for_update=for_update)
        if found is None:
            raise NotFound(f"No objective {objective_id}.")
        return found

    async def roll_up(self, objective_ids: list[str | None]) -> None:
        """Recompute each objective named, then each one above it while its progress moves: in the same
        transaction as the change, each under its row lock, taken from the leaf to the root (the order every
        change takes, so that concurrent roll-ups queue rather than deadlock). Each step reads its inputs
        after taking the lock: a concurrent check-in on a sibling has then either committed (and is read)
        or will read this one's result when it gets the lock; no update is lost."""
        now = self.clock.now()
        zone = await self.time_zone()
        starts = list(dict.fromkeys(i for i in objective_ids if i))
        if len(starts) > 1:
            await self._lock_chains(starts)
        for start in starts:
            current: str | None = start
            steps = 0
            while current and steps < MAX_WALK:
                steps += 1
                moved = await self._recompute(current, now, zone)
                if moved is None:
                    break
                current = moved.parent_id

    async def _lock_chains(self, starts: list[str]) -> None:
        """Several chains (a move's old and new parents): every objective on them locked before any is
        recomputed, deepest first, then by id: the order a check-in's single chain takes too (leaf to root),
        so that a move and the check-ins below it queue instead of deadlocking on a shared ancestor."""
        depth: dict[str, int] = {}
        for start in starts:
            chain = [start] + [a.id for a in await self.uow.objectives.ancestors(start)]
            for k, objective_id in enumerate(chain):
                depth[objective_id] = len(chain) - 1 - k
        for objective_id in sorted(depth, key=lambda i: (-depth[i], i)):
            await self.uow.objectives.get(objective_id, for_update=True)

    async def _recompute(self, objective_id: str, now: datetime, zone: str) -> Objective | None:
        """The objective with its progress and health recomputed and saved; None when its progress did not
        move (its parent's inputs are then unchanged)."""
        obj = await self.uow.objectives.get(objective_id, for_update=True)
        if obj is None:
            return None
        key_results = await self.uow.key_results.of_objectives([obj.id])
        children = await self.uow.objectives.children_of([obj.id]) if obj.progress_rule != "key_results" else []
        progress = explain(obj, key_results, children).progress
        new_health = health(obj, progress, key_results, now, zone)
        if progress == obj.progress and new_health == obj.health:
            return None
        changed = replace(obj, progress=progress, health=new_health)
        changed.touch(now)
        await self.uow.objectives.save(changed, expected_version=obj.version)
        previous = {k: v for k, v in (("progress", obj.progress), ("health", obj.health)) if getattr(changed, k) != v}
        self._record(
            "objective.progress_changed" if "progress" in previous else "objective.updated",
            changed.resource(),
            previous,
        )
        return changed if "progress" in previous else None


def refuse_read_only(patch: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(patch) - set(allowed))
    if unknown:
        raise Invalid(
            "Some fields cannot be changed.", [FieldError(f"/{k}", "cannot be changed", "read_only") for k in unknown]
        )


def refuse_nulls(patch: dict[str, Any], declared: Any) -> None:
    """A merge patch's null removes a field: refused on a field no object may lack."""
    errors = ErrorList()
    for f in declared:
        if f.name in patch and patch[f.name] is None and not f.nullable:
            errors.add(f"/{f.name}", "must not be null", "required")
    errors.raise_if_any()


def without_unset(fields: dict[str, Any], declared: Any) -> dict[str, Any]:
    """A PUT's body as a replacement: a null on a field no object may lack means "as it is" (the body left it
    out), a null elsewhere clears the field."""
    required = {f.name for f in declared if not f.nullable}
    return {k: v for k, v in fields.items() if v is not None or k not in required}
