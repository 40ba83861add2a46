"""Objectives, key results and check-ins on SQL; objectives and key results keep every version (`as_of`)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, bindparam, func, select

from app.domain.objectives.model import CheckIn, KeyResult, Objective
from app.repo.json_filters import has_any_element
from app.repo.org_chart import VersionedSqlRepository, _walk_up
from app.repo.repositories import Shape, SqlRepository, _chunks, shape, table
from app.repo.sql import any_of, org_criterion
from app.repo.tables import CheckInRow, KeyResultRow, ObjectiveRow

_O = table(ObjectiveRow)
HAS_CHILDREN = select(func.count()).select_from(_O).where(org_criterion(_O), _O.c.parent_id == bindparam("id"))


class ObjectiveRepository(VersionedSqlRepository[Objective]):
    row = ObjectiveRow
    entity = Objective
    collection = "objectives"

    async def lock_structure(self) -> None:
        await self._lock("objectives")

    async def ancestors(self, objective_id: str) -> list[Objective]:
        return (await self._walk_up([objective_id], "parent_id"))[objective_id]

    async def children_of(self, objective_ids: list[str]) -> list[Objective]:
        return await self.in_column("parent_id", objective_ids)

    async def has_children(self, objective_id: str) -> bool:
        return bool(await self.sql.scalar(HAS_CHILDREN, {"id": objective_id}))

    async def of_owner_units(self, unit_ids: list[str]) -> list[Objective]:
        return await self.in_column("owner_unit_id", unit_ids)

    async def contributed_to_by(self, unit_ids: list[str]) -> list[Objective]:
        out: list[Objective] = []
        for chunk in _chunks(sorted(set(unit_ids))):
            out.extend(self.to_entity(r) for r in await self.sql.rows(_contributed(self.shape), {"ids": chunk}))
        return out


@cache
def _contributed(s: Shape) -> Any:
    return s.select().where(has_any_element(s.t.c.contributor_unit_ids, "ids")).order_by(s.t.c.id)


class KeyResultRepository(VersionedSqlRepository[KeyResult]):
    row = KeyResultRow
    entity = KeyResult
    collection = "key_results"

    async def of_objectives(self, objective_ids: list[str]) -> list[KeyResult]:
        return await self.in_column("objective_id", objective_ids)


_C = table(CheckInRow)


@cache
def _count_of() -> Any:
    return select(func.count()).select_from(_C).where(org_criterion(_C), any_of(_C.c.key_result_id, "ids"))


@cache
def _latest(s: Shape, column: str, before: bool) -> Any:
    """At most `_limit` of the newest rows per value of `column`, for a list of values: one statement (a
    window over each value's rows, newest first)."""
    rank = func.row_number().over(partition_by=s.t.c[column], order_by=s.t.c.id.desc()).label("rank")
    inner = s.select(rank).where(any_of(s.t.c[column], "ids"))
    if before:
        inner = inner.where(s.t.c.created_at < bindparam("_before", type_=s.t.c.created_at.type))
    ranked = inner.subquery("ranked")
    columns = [ranked.c[c.key] for _, c in s.attributes]
    return select(*columns).where(ranked.c.rank <= bindparam("_limit", type_=Integer())).order_by(ranked.c.id)


class CheckInRepository(SqlRepository[CheckIn]):
    row = CheckInRow
    entity = CheckIn
    collection = "check_ins"

    async def count_of(self, key_result_ids: list[str]) -> int:
        total = 0
        for chunk in _chunks(sorted(set(key_result_ids))):
            total += int(await self.sql.scalar(_count_of(), {"ids": chunk}) or 0)
        return total

    async def latest_of(self, column: str, ids: list[str], limit: int, before: datetime | None) -> list[CheckIn]:
        out: list[CheckIn] = []
        stmt = _latest(shape(self.row, self.entity, self.collection), column, before is not None)
        for chunk in _chunks(sorted(set(ids))):
            params: dict[str, Any] = {"ids": chunk, "_limit": limit}
            if before is not None:
                params["_before"] = before
            out.extend(self.to_entity(r) for r in await self.sql.rows(stmt, params))
        return out


__all__ = ["CheckInRepository", "KeyResultRepository", "ObjectiveRepository", "_walk_up"]
