"""What the objectives' use cases share: the caller's scopes, the organization's time zone, the checks of
references, and the roll-up."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from app.domain.changes import check_refs
from app.domain.errors import NotFound
from app.domain.objectives.model import Objective
from app.domain.objectives.progress import explain, health
from app.domain.usecases import UseCases

READ, WRITE = "objectives:read", "objectives:write"
MAX_WALK = 10_000  # a bound on walks up the alignment tree, which has no cycle; it only guarantees an end
REMINDER = "key_result.check_in_due"  # the timed job that reminds a key result's owner to check in
HEALTH = "objective.health"
# The objects an objective or a key result names, by field: the prefix of their ids.
REFS = {
    "owner_unit_id": "unit",
    "owner_person_id": "person",
    "parent_id": "obj",
    "objective_id": "obj",
    "contributor_unit_ids": "unit",
}  # the timed job that re-evaluates an open objective's health each day


class ObjectivesBase(UseCases):
    def readable(self) -> str:
        return self._org(READ)

    async def _check_refs(self, fields: dict[str, Any], before: Any = None) -> None:
        await check_refs(self.uow, fields, REFS, before)

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
