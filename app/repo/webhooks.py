"""Webhook endpoints, the delivery outbox and its attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlmodel import col

from app.domain.model import ListQuery, Page
from app.domain.webhooks.model import Attempt, Delivery, WebhookEndpoint
from app.repo.repositories import BATCH, SqlRepository, paged
from app.repo.tables import AttemptRow, DeliveryRow, WebhookEndpointRow

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


class WebhookRepository(SqlRepository[WebhookEndpoint]):
    row = WebhookEndpointRow
    entity = WebhookEndpoint
    collection = "webhook_endpoints"

    async def enabled(self) -> list[WebhookEndpoint]:
        rows = (await self.session.execute(select(WebhookEndpointRow).where(col(WebhookEndpointRow.enabled)))).scalars()
        return [self.to_entity(r) for r in rows]


def delivery(row: Any) -> Delivery:
    return Delivery(**{k: getattr(row, k) for k in DELIVERY_FIELDS})


class DeliveryRepository:
    def __init__(self, session: Any, organization_id: str) -> None:
        self.session, self.organization_id = session, organization_id

    async def add_many(self, deliveries: list[Delivery]) -> None:
        rows = [{k: getattr(d, k) for k in DELIVERY_FIELDS} for d in deliveries]
        for start in range(0, len(rows), BATCH):
            await self.session.execute(insert(DeliveryRow), rows[start : start + BATCH])

    async def get(self, delivery_id: str) -> Delivery | None:
        row = (await self.session.execute(select(DeliveryRow).where(col(DeliveryRow.id) == delivery_id))).scalar()
        return None if row is None else delivery(row)

    async def of_endpoint(self, endpoint_id: str, query: ListQuery) -> Page[Delivery]:
        stmt = (
            select(DeliveryRow)
            .where(col(DeliveryRow.endpoint_id) == endpoint_id)
            .order_by(col(DeliveryRow.id))
            .limit(query.limit + 1)
        )
        if query.after:
            stmt = stmt.where(col(DeliveryRow.id) > query.after)
        for name, value in query.filters.items():
            stmt = stmt.where(getattr(DeliveryRow, name) == value)
        return paged(list((await self.session.execute(stmt)).scalars()), query.limit, delivery)

    async def attempts_of(self, delivery_ids: list[str]) -> dict[str, list[Attempt]]:
        out: dict[str, list[Attempt]] = {d: [] for d in delivery_ids}
        if not delivery_ids:
            return out
        stmt = (
            select(AttemptRow)
            .where(col(AttemptRow.delivery_id).in_(delivery_ids))
            .order_by(col(AttemptRow.attempted_at))
        )
        for r in (await self.session.execute(stmt)).scalars():
            out[r.delivery_id].append(
                Attempt(r.id, r.delivery_id, r.attempted_at, r.status_code, r.latency_ms, r.error)
            )
        return out

    async def requeue(self, delivery_ids: list[str], at: datetime, *, include_succeeded: bool = False) -> int:
        if not delivery_ids:
            return 0
        stmt = update(DeliveryRow).where(col(DeliveryRow.id).in_(delivery_ids))
        if not include_succeeded:
            stmt = stmt.where(col(DeliveryRow.status) != "succeeded")
        result = await self.session.execute(
            stmt.values(status="pending", next_attempt_at=at, locked_until=None, updated_at=at).execution_options(
                synchronize_session=False
            )
        )
        return int(result.rowcount or 0)

    async def failed_since(self, endpoint_id: str, since: datetime) -> list[str]:
        stmt = select(col(DeliveryRow.id)).where(
            col(DeliveryRow.endpoint_id) == endpoint_id,
            col(DeliveryRow.updated_at) >= since,
            or_(
                col(DeliveryRow.status) == "failed",
                (col(DeliveryRow.status) == "pending") & (col(DeliveryRow.attempts) > 0),
            ),
        )
        return [str(i) for i in (await self.session.execute(stmt)).scalars()]
