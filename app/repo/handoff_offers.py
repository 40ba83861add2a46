"""Handoff offers on SQL, and the analytics over them, aggregated by the database on both engines: counts
by outcome with one GROUP BY, the median and 90th percentile of the time to accept with window functions
(nearest rank: the smallest value whose rank reaches p × n; SQLite has no percentile function), and the
decline reasons with another GROUP BY."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, bindparam, case, func, insert, select, update

from app.domain.ids import new_id
from app.repo.repositories import table
from app.repo.sql import ORG, Sql, org_criterion
from app.repo.tables import HandoffOfferRow

T = table(HandoffOfferRow)
_AT = T.c.offered_at.type
OFFER = insert(T).values(
    id=bindparam("id"),
    organization_id=bindparam(ORG),
    handoff_id=bindparam("handoff"),
    from_unit_id=bindparam("from_unit"),
    to_unit_id=bindparam("to_unit"),
    offered_at=bindparam("at", type_=_AT),
    outcome="pending",
    overdue=False,
)
_LATEST = (
    select(T.c.id, T.c.offered_at)
    .where(org_criterion(T), T.c.handoff_id == bindparam("handoff"))
    .order_by(T.c.id.desc())
    .limit(1)
)
DECIDE = (
    update(T)
    .where(org_criterion(T), T.c.id == bindparam("offer"), T.c.outcome == "pending")
    .values(
        outcome=bindparam("outcome"),
        decided_at=bindparam("at", type_=_AT),
        seconds_to_decide=bindparam("seconds", type_=T.c.seconds_to_decide.type),
        decline_reason=bindparam("reason"),
    )
)
OVERDUE = update(T).where(org_criterion(T), T.c.id == bindparam("offer")).values(overdue=True)
_IN_PERIOD = (
    org_criterion(T),
    T.c.offered_at >= bindparam("start", type_=_AT),
    T.c.offered_at < bindparam("end", type_=_AT),
)


def _count(outcome: str) -> Any:
    return func.sum(case((T.c.outcome == outcome, 1), else_=0))


COUNTS = (
    select(
        T.c.from_unit_id,
        T.c.to_unit_id,
        func.count().label("offered"),
        *[_count(o).label(o) for o in ("accepted", "declined", "forwarded", "cancelled", "pending")],
        func.sum(case((T.c.overdue.is_(True), 1), else_=0)).label("overdue"),
    )
    .where(*_IN_PERIOD)
    .group_by(T.c.from_unit_id, T.c.to_unit_id)
    .order_by(T.c.from_unit_id, T.c.to_unit_id)
)
_RANKED = (
    select(
        T.c.from_unit_id,
        T.c.to_unit_id,
        T.c.seconds_to_decide.label("seconds"),
        func.row_number()
        .over(partition_by=(T.c.from_unit_id, T.c.to_unit_id), order_by=T.c.seconds_to_decide)
        .label("rank"),
        func.count().over(partition_by=(T.c.from_unit_id, T.c.to_unit_id)).label("n"),
    )
    .where(*_IN_PERIOD, T.c.outcome == "accepted")
    .subquery("ranked")
)
PERCENTILES = select(
    _RANKED.c.from_unit_id,
    _RANKED.c.to_unit_id,
    func.min(case((_RANKED.c.rank >= _RANKED.c.n * 0.5, _RANKED.c.seconds))).label("median"),
    func.min(case((_RANKED.c.rank >= _RANKED.c.n * 0.9, _RANKED.c.seconds))).label("p90"),
).group_by(_RANKED.c.from_unit_id, _RANKED.c.to_unit_id)
REASONS = (
    select(T.c.from_unit_id, T.c.to_unit_id, T.c.decline_reason, func.count())
    .where(*_IN_PERIOD, T.c.outcome == "declined")
    .group_by(T.c.from_unit_id, T.c.to_unit_id, T.c.decline_reason)
)


class HandoffOffers:
    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    async def offer(self, handoff_id: str, from_unit_id: str, to_unit_id: str, at: datetime) -> None:
        params = {"id": new_id("hof"), "handoff": handoff_id, "from_unit": from_unit_id, "to_unit": to_unit_id}
        await self.sql.run(OFFER, {**params, "at": at})

    async def decide(self, handoff_id: str, outcome: str, at: datetime, reason: str | None = None) -> None:
        """What the unit the handoff was last offered to did with it (if it has not decided yet)."""
        latest = await self.sql.row(_LATEST, {"handoff": handoff_id})
        if latest is None:
            return
        seconds = (at - latest[1]).total_seconds()
        await self.sql.run(
            DECIDE, {"offer": latest[0], "outcome": outcome, "at": at, "seconds": seconds, "reason": reason}
        )

    async def mark_overdue(self, handoff_id: str) -> None:
        """A clock ran out while the unit of the last offer held the handoff."""
        latest = await self.sql.row(_LATEST, {"handoff": handoff_id})
        if latest is not None:
            await self.sql.run(OVERDUE, {"offer": latest[0]})

    async def pairs(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        params = {"start": start, "end": end}
        out: dict[tuple[str, str], dict[str, Any]] = {}
        for r in await self.sql.rows(COUNTS, params):
            offered, accepted, declined, forwarded, cancelled, pending, overdue = (int(x or 0) for x in r[2:])
            decided = accepted + declined + forwarded
            out[(r[0], r[1])] = {
                "from_unit_id": r[0],
                "to_unit_id": r[1],
                "offered": offered,
                "outcomes": {
                    "accepted": accepted,
                    "declined": declined,
                    "forwarded": forwarded,
                    "cancelled": cancelled,
                    "pending": pending,
                },
                "acceptance_rate": accepted / decided if decided else None,
                "median_seconds_to_accept": None,
                "p90_seconds_to_accept": None,
                "overdue_rate": overdue / offered,
                "decline_reasons": {},
            }
        for r in await self.sql.rows(PERCENTILES, params):
            out[(r[0], r[1])]["median_seconds_to_accept"] = r[2]
            out[(r[0], r[1])]["p90_seconds_to_accept"] = r[3]
        for r in await self.sql.rows(REASONS, params):
            out[(r[0], r[1])]["decline_reasons"][r[2]] = int(r[3])
        return list(out.values())


__all__ = ["HandoffOffers", "Integer"]
