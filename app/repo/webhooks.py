"""Webhook endpoints, the delivery outbox and its attempts."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, bindparam, insert, or_, select, update

from app.domain.calendars.model import CalendarFeed
from app.domain.model import ListQuery, Page
from app.domain.webhooks.model import Attempt, Delivery, WebhookEndpoint
from app.repo.repositories import BATCH, Shape, SqlRepository, paged, table
from app.repo.sql import ORG, Sql, any_of, org_criterion
from app.repo.tables import AttemptRow, CalendarFeedRow, DeliveryRow, WebhookEndpointRow

DELIVERY_FIELDS = (
    "id",
    "organization_id",
    "endpoint_id",
    "message_id",
    "event_type",
    "payload",
    "status",
    "attempts",
    "next_attempt_at",
    "last_status_code",
    "last_error",
    "succeeded_at",
    "created_at",
    "updated_at",
    "version",
)
_W = table(WebhookEndpointRow)
_D = table(DeliveryRow)
_A = table(AttemptRow)
_DELIVERY_COLUMNS = tuple(_D.c[name] for name in DELIVERY_FIELDS)
_WRITTEN = [name for name in DELIVERY_FIELDS if name != "organization_id"]
DELIVERY_INSERT = insert(_D).values(
    organization_id=bindparam(ORG), **{name: bindparam(name, type_=_D.c[name].type) for name in _WRITTEN}
)
DELIVERY_GET = select(*_DELIVERY_COLUMNS).where(org_criterion(_D), _D.c.id == bindparam("id"))
ATTEMPTS_OF = (
    select(_A.c.id, _A.c.delivery_id, _A.c.attempted_at, _A.c.status_code, _A.c.latency_ms, _A.c.error)
    .where(org_criterion(_A), any_of(_A.c.delivery_id, "ids"))
    .order_by(_A.c.attempted_at)
)
REQUEUE = (
    update(_D)
    .where(
        org_criterion(_D),
        any_of(_D.c.id, "ids"),
        or_(bindparam("_all", type_=Integer()) == 1, _D.c.status != "succeeded"),
    )
    .values(
        status="pending",
        next_attempt_at=bindparam("at", type_=_D.c.next_attempt_at.type),
        locked_until=None,
        updated_at=bindparam("at", type_=_D.c.updated_at.type),
    )
)
FAILED_SINCE = select(_D.c.id).where(
    org_criterion(_D),
    _D.c.endpoint_id == bindparam("endpoint_id"),
    _D.c.updated_at >= bindparam("since", type_=_D.c.updated_at.type),
    or_(_D.c.status == "failed", (_D.c.status == "pending") & (_D.c.attempts > 0)),
)


class WebhookRepository(SqlRepository[WebhookEndpoint]):
    row = WebhookEndpointRow
    entity = WebhookEndpoint
    collection = "webhook_endpoints"

    async def enabled(self) -> list[WebhookEndpoint]:
        return [self.to_entity(r) for r in await self.sql.rows(_enabled(self.shape))]


@cache
def _enabled(s: Any) -> Any:
    return s.select().where(s.t.c.enabled.is_(True))


def delivery(r: tuple[Any, ...]) -> Delivery:
    return Delivery(**dict(zip(DELIVERY_FIELDS, r, strict=True)))


@cache
def _of_endpoint(after: bool, status: bool) -> Any:
    stmt = (
        select(*_DELIVERY_COLUMNS)
        .where(org_criterion(_D), _D.c.endpoint_id == bindparam("endpoint_id"))
        .order_by(_D.c.id)
        .limit(bindparam("_limit", type_=Integer()))
    )
    if after:
        stmt = stmt.where(_D.c.id > bindparam("_after"))
    if status:
        stmt = stmt.where(_D.c.status == bindparam("status"))
    return stmt


class DeliveryRepository:
    def __init__(self, sql: Sql, organization_id: str) -> None:
        self.sql, self.organization_id = sql, organization_id

    async def add_many(self, deliveries: list[Delivery]) -> None:
        rows = [{name: getattr(d, name) for name in _WRITTEN} for d in deliveries]
        if len(rows) == 1:
            await self.sql.run(DELIVERY_INSERT, rows[0])
            return
        for start in range(0, len(rows), BATCH):
            await self.sql.run_many(DELIVERY_INSERT, rows[start : start + BATCH])

    async def get(self, delivery_id: str) -> Delivery | None:
        found = await self.sql.row(DELIVERY_GET, {"id": delivery_id})
        return None if found is None else delivery(found)

    async def of_endpoint(self, endpoint_id: str, query: ListQuery) -> Page[Delivery]:
        unknown = set(query.filters) - {"status"}
        if unknown:
            raise ValueError(f"no filter {sorted(unknown)} on deliveries")
        status = query.filters.get("status")
        params = {"endpoint_id": endpoint_id, "_limit": query.limit + 1, "_after": query.after, "status": status}
        rows = await self.sql.rows(_of_endpoint(bool(query.after), status is not None), params)
        return paged(rows, query.limit, delivery, lambda r: str(r[0]))

    async def attempts_of(self, delivery_ids: list[str]) -> dict[str, list[Attempt]]:
        out: dict[str, list[Attempt]] = {d: [] for d in delivery_ids}
        if not delivery_ids:
            return out
        for r in await self.sql.rows(ATTEMPTS_OF, {"ids": delivery_ids}):
            out[r[1]].append(Attempt(r[0], r[1], r[2], r[3], r[4], r[5]))
        return out

    async def requeue(self, delivery_ids: list[str], at: datetime, *, include_succeeded: bool = False) -> int:
        if not delivery_ids:
            return 0
        return await self.sql.run(REQUEUE, {"ids": delivery_ids, "at": at, "_all": 1 if include_succeeded else 0})

    async def failed_since(self, endpoint_id: str, since: datetime) -> list[str]:
        return [str(r[0]) for r in await self.sql.rows(FAILED_SINCE, {"endpoint_id": endpoint_id, "since": since})]


class CalendarFeedRepository(SqlRepository[CalendarFeed]):
    row = CalendarFeedRow
    entity = CalendarFeed
    collection = "calendar_feeds"

    async def find_anywhere(self, feed_id: str) -> CalendarFeed | None:
        """For the system unit of work only: the feed a calendar app's URL names, whatever its organization
        (the URL is the credential; the feed's organization is read from it)."""
        found = await self.sql.row(_feed_anywhere(self.shape), {"id": feed_id})
        return None if found is None else self.to_entity(found)


@cache
def _feed_anywhere(s: Shape) -> Any:
    return s.select_unscoped().where(s.t.c.id == bindparam("id"))
