"""Handoffs (every version kept, for `as_of`), their policies and comments, on SQL."""

from __future__ import annotations

from app.domain.handoffs.model import Handoff, HandoffComment, HandoffPolicy
from app.domain.model import ListQuery, every_page
from app.repo.org_chart import VersionedSqlRepository
from app.repo.repositories import SqlRepository
from app.repo.tables import HandoffCommentRow, HandoffPolicyRow, HandoffRow


class HandoffRepository(VersionedSqlRepository[Handoff]):
    row = HandoffRow
    entity = Handoff
    collection = "handoffs"

    async def addressed_to(self, unit_ids: list[str]) -> list[Handoff]:
        return await self.in_column("to_unit_id", unit_ids)

    async def sent_by(self, unit_ids: list[str]) -> list[Handoff]:
        return await self.in_column("from_unit_id", unit_ids)


class HandoffPolicyRepository(SqlRepository[HandoffPolicy]):
    row = HandoffPolicyRow
    entity = HandoffPolicy
    collection = "handoff_policies"

    async def all(self) -> list[HandoffPolicy]:
        return await every_page(self, ListQuery(limit=200))


class HandoffCommentRepository(SqlRepository[HandoffComment]):
    row = HandoffCommentRow
    entity = HandoffComment
    collection = "handoff_comments"

    async def of_handoffs(self, handoff_ids: list[str]) -> list[HandoffComment]:
        return await self.in_column("handoff_id", handoff_ids)
