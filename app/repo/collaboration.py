"""What two units share, counted by the database on both engines: objectives one owns and the other
contributes to, and people who belong to both (by kind of membership), over a period."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, and_, bindparam, case, func, or_, select

from app.repo.repositories import table
from app.repo.sql import Sql, org_criterion
from app.repo.tables import MembershipRow
from app.repo.work_tables import ObjectiveRow

_O = table(ObjectiveRow)
_M = table(MembershipRow)
START, END = bindparam("start", type_=Date()), bindparam("end", type_=Date())


def _shared_objectives(dialect: str) -> Any:
    """Each objective (alive in the period) with each unit that contributes to it: one row per pair."""
    if dialect == "postgresql":
        each = func.jsonb_array_elements_text(_O.c.contributor_unit_ids).table_valued("value").render_derived("c")
    else:
        each = func.json_each(_O.c.contributor_unit_ids).table_valued("value").alias("c")
    return (
        select(_O.c.owner_unit_id, each.c.value, _O.c.id, _O.c.title, _O.c.progress, _O.c.status)
        .where(
            org_criterion(_O),
            _O.c.owner_unit_id.is_not(None),
            _O.c.owner_unit_id != each.c.value,
            _O.c.period_start <= END,
            _O.c.period_end >= START,
        )
        .order_by(_O.c.id, each.c.value)
    )


_a, _b = table(MembershipRow).alias("a"), table(MembershipRow).alias("b")


def _running(m: Any) -> Any:
    return and_(or_(m.c.starts_on.is_(None), m.c.starts_on <= END), or_(m.c.ends_on.is_(None), m.c.ends_on >= START))


def _kind(kind: str) -> Any:
    return func.count(func.distinct(case((or_(_a.c.kind == kind, _b.c.kind == kind), _a.c.person_id))))


PEOPLE_IN_BOTH = (
    select(
        _a.c.unit_id,
        _b.c.unit_id,
        func.count(func.distinct(_a.c.person_id)),
        _kind("member"),
        _kind("rotation"),
        _kind("training"),
    )
    .select_from(_a.join(_b, and_(_a.c.person_id == _b.c.person_id, _a.c.unit_id < _b.c.unit_id)))
    .where(org_criterion(_a), org_criterion(_b), _running(_a), _running(_b))
    .group_by(_a.c.unit_id, _b.c.unit_id)
    .order_by(_a.c.unit_id, _b.c.unit_id)
)
_STATEMENTS: dict[str, Any] = {}


class Collaboration:
    def __init__(self, sql: Sql, organization_id: str) -> None:
        self.sql, self.organization_id = sql, organization_id

    async def shared_objectives(self, start: date, end: date) -> list[tuple[str, str, str, str, float, str]]:
        """(owner unit, contributing unit, objective id, title, progress, status) for objectives whose period
        meets [start, end]."""
        dialect = self.sql.dialect.name
        stmt = _STATEMENTS.setdefault(dialect, _shared_objectives(dialect))
        rows = await self.sql.rows(stmt, {"start": start, "end": end})
        return [(str(r[0]), str(r[1]), str(r[2]), str(r[3]), float(r[4] or 0), str(r[5])) for r in rows]

    async def people_in_both(self, start: date, end: date) -> list[tuple[str, str, int, int, int, int]]:
        """(unit a, unit b (a < b), people, of whom in either as member, rotation, training) for memberships
        that run during [start, end]."""
        rows = await self.sql.rows(PEOPLE_IN_BOTH, {"start": start, "end": end})
        return [(str(r[0]), str(r[1]), *(int(x or 0) for x in r[2:])) for r in rows]  # type: ignore[misc]
