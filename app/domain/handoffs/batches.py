"""Batched reads of handoffs, for GraphQL's DataLoaders: one statement per batch whatever its size."""

from __future__ import annotations

from app.domain.handoffs.model import Handoff, HandoffComment
from app.domain.handoffs.service import READ
from app.domain.org_chart.batches import _grouped
from app.domain.ports import UnitOfWork
from app.domain.principal import Principal


class HandoffBatches:
    def __init__(self, uow: UnitOfWork, principal: Principal) -> None:
        principal.require(READ)
        principal.require_organization()
        self.uow = uow

    async def handoffs(self, ids: list[str]) -> dict[str, Handoff]:
        return {h.id: h for h in await self.uow.handoffs.get_many(ids)}

    async def incoming(self, unit_ids: list[str]) -> dict[str, list[Handoff]]:
        return _grouped(await self.uow.handoffs.addressed_to(unit_ids), lambda h: h.to_unit_id)

    async def outgoing(self, unit_ids: list[str]) -> dict[str, list[Handoff]]:
        return _grouped(await self.uow.handoffs.sent_by(unit_ids), lambda h: h.from_unit_id)

    async def comments(self, handoff_ids: list[str]) -> dict[str, list[HandoffComment]]:
        return _grouped(await self.uow.handoff_comments.of_handoffs(handoff_ids), lambda c: c.handoff_id)
