"""Batched reads of objectives, key results and check-ins, for GraphQL's DataLoaders: one statement per
batch whatever its size; reads of the past load the snapshot at that instant once per batch."""

from __future__ import annotations

from datetime import datetime

from app.domain.objectives.base import READ
from app.domain.objectives.model import CheckIn, KeyResult, Objective
from app.domain.org_chart.batches import _grouped
from app.domain.ports import UnitOfWork
from app.domain.principal import Principal

LATEST_CHECK_INS = 50  # check-ins a nested list holds per object, newest first


class ObjectiveBatches:
    def __init__(self, uow: UnitOfWork, principal: Principal, as_of: datetime | None) -> None:
        principal.require(READ)
        principal.require_organization()
        self.uow, self.as_of = uow, as_of

    async def _all(self) -> list[Objective]:
        assert self.as_of is not None
        return await self.uow.objectives.at(self.as_of)

    async def objectives(self, ids: list[str]) -> dict[str, Objective]:
        found = await self.uow.objectives.get_many(ids) if self.as_of is None else await self._all()
        return {o.id: o for o in found}

    async def children(self, ids: list[str]) -> dict[str, list[Objective]]:
        wanted = set(ids)
        found = (
            await self.uow.objectives.children_of(ids)
            if self.as_of is None
            else [o for o in await self._all() if o.parent_id in wanted]
        )
        return _grouped(found, lambda o: o.parent_id or "")

    async def of_units(self, unit_ids: list[str]) -> dict[str, list[Objective]]:
        """The objectives each unit owns."""
        wanted = set(unit_ids)
        found = (
            await self.uow.objectives.of_owner_units(unit_ids)
            if self.as_of is None
            else [o for o in await self._all() if o.owner_unit_id in wanted]
        )
        return _grouped(found, lambda o: o.owner_unit_id)

    async def contributions_of_units(self, unit_ids: list[str]) -> dict[str, list[Objective]]:
        """The objectives each unit contributes to."""
        wanted = set(unit_ids)
        found = (
            await self.uow.objectives.contributed_to_by(unit_ids)
            if self.as_of is None
            else [o for o in await self._all() if wanted & set(o.contributor_unit_ids)]
        )
        out: dict[str, list[Objective]] = {}
        for o in sorted(found, key=lambda o: o.id):
            for unit_id in o.contributor_unit_ids:
                if unit_id in wanted:
                    out.setdefault(unit_id, []).append(o)
        return out

    async def key_results(self, objective_ids: list[str]) -> dict[str, list[KeyResult]]:
        wanted = set(objective_ids)
        found = (
            await self.uow.key_results.of_objectives(objective_ids)
            if self.as_of is None
            else [k for k in await self.uow.key_results.at(self.as_of) if k.objective_id in wanted]
        )
        return _grouped(found, lambda k: k.objective_id)

    async def key_results_by_id(self, ids: list[str]) -> dict[str, KeyResult]:
        found = (
            await self.uow.key_results.get_many(ids)
            if self.as_of is None
            else await self.uow.key_results.at(self.as_of)
        )
        return {k.id: k for k in found}

    async def check_ins_of_key_results(self, ids: list[str]) -> dict[str, list[CheckIn]]:
        found = await self.uow.check_ins.latest_of("key_result_id", ids, LATEST_CHECK_INS, self.as_of)
        return _grouped(found, lambda c: c.key_result_id)

    async def check_ins_of_objectives(self, ids: list[str]) -> dict[str, list[CheckIn]]:
        found = await self.uow.check_ins.latest_of("objective_id", ids, LATEST_CHECK_INS, self.as_of)
        return _grouped(found, lambda c: c.objective_id)
