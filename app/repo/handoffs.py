"""Handoffs (every version kept, for `as_of`), their policies and comments, on SQL."""

from __future__ import annotations

from app.domain.handoffs.model import Handoff, HandoffComment, HandoffPolicy
from app.domain.model import ListQuery
from app.repo.org_chart import VersionedSqlRepository, _chunks, _where_in
from app.repo.repositories import SqlRepository
from app.repo.tables import HandoffCommentRow, HandoffPolicyRow, HandoffRow


class HandoffRepository(VersionedSqlRepository[Handoff]):
    row = HandoffRow
    entity = Handoff
    collection = "handoffs"

    async def addressed_to(self, unit_ids: list[str]) -> list[Handoff]:
        return await self._in("to_unit_id", unit_ids)

    async def sent_by(self, unit_ids: list[str]) -> list[Handoff]:
        return await self._in("from_unit_id", unit_ids)


class HandoffPolicyRepository(SqlRepository[HandoffPolicy]):
    row = HandoffPolicyRow
    entity = HandoffPolicy
    collection = "handoff_policies"

    async def all(self) -> list[HandoffPolicy]:
        out: list[HandoffPolicy] = []
        query = ListQuery(limit=200)
        while True:
            page = await self.list(query)
            out.extend(page.items)
            if page.next_after is None:
                return out
            query = ListQuery(limit=200, after=page.next_after)


class HandoffCommentRepository(SqlRepository[HandoffComment]):
    row = HandoffCommentRow
    entity = HandoffComment
    collection = "handoff_comments"

    async def of_handoffs(self, handoff_ids: list[str]) -> list[HandoffComment]:
        out: list[HandoffComment] = []
        for chunk in _chunks(sorted(set(handoff_ids))):
            out.extend(
                self.to_entity(r) for r in await self.sql.rows(_where_in(self.shape, "handoff_id"), {"ids": chunk})
            )
        return out
