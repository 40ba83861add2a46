"""The outbox, as the worker uses it: the claim (every worker's, across organizations), the outbox's depth,
the endpoints of a claimed batch, and the recording of attempts and outcomes. The worker holds no SQL:
it calls `Outbox`'s methods on its unit of work (`uow.outbox`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Integer, Table, bindparam, func, insert, or_, select, update

from app.domain.ids import new_id
from app.domain.webhooks.fairness import Claimed, Due
from app.domain.webhooks.model import WebhookEndpoint
from app.repo.repositories import shape
from app.repo.sql import ORG, Sql, any_of, org_criterion
from app.repo.tables import AttemptRow, DeliveryRow, WebhookEndpointRow
from app.repo.webhooks import WebhookRepository

T = cast(Table, DeliveryRow.__table__)  # type: ignore[attr-defined]
OUTBOX_DEPTH = select(func.count()).select_from(T).where(T.c.status == "pending")
# The claim, in one transaction: the due deliveries not locked by another worker, leaving out the endpoints
# and organizations that already have their share of this worker's slots (DUE, locked until the
# transaction ends); the worker picks a fair share of them (app/domain/webhooks/fairness.py) and leases
# those (LEASE). Every worker's, across organizations: system statements, unscoped on purpose.
DUE = (
    select(T.c.id, T.c.organization_id, T.c.endpoint_id)
    .where(
        T.c.status == "pending",
        T.c.next_attempt_at <= bindparam("now", type_=T.c.next_attempt_at.type),
        or_(T.c.locked_until.is_(None), T.c.locked_until < bindparam("now", type_=T.c.locked_until.type)),
        ~any_of(T.c.endpoint_id, "full_endpoints"),
        ~any_of(T.c.organization_id, "full_organizations"),
    )
    .order_by(T.c.next_attempt_at)
    .limit(bindparam("limit", type_=Integer()))
    .with_for_update(skip_locked=True)
)
LEASE = (
    update(T)
    .where(any_of(T.c.id, "ids"))
    .values(locked_until=bindparam("lease", type_=T.c.locked_until.type))
    .returning(T.c.id, T.c.organization_id, T.c.endpoint_id, T.c.message_id, T.c.payload, T.c.attempts, T.c.created_at)
)
_E = cast(Table, WebhookEndpointRow.__table__)  # type: ignore[attr-defined]
ENDPOINTS = (
    shape(WebhookEndpointRow, WebhookEndpoint, "webhook_endpoints").select_unscoped().where(any_of(_E.c.id, "ids"))
)
_AT = cast(Table, AttemptRow.__table__)  # type: ignore[attr-defined]
# An attempt names its organization through ORG: the delivery's own unit of work fills it, the batch of
# successes (a system unit of work, across organizations) gives each row's.
ATTEMPT_INSERT = insert(_AT).values(
    {
        **{c.name: bindparam(c.name, type_=c.type) for c in _AT.columns if c.name != "organization_id"},
        "organization_id": bindparam(ORG),
    }
)
SUCCEEDED = (
    update(T)
    .where(T.c.id == bindparam("_id"), T.c.locked_until == bindparam("_lease", type_=T.c.locked_until.type))
    .values(
        status="succeeded",
        attempts=bindparam("_attempts", type_=Integer()),
        next_attempt_at=None,
        locked_until=None,
        last_status_code=bindparam("_code", type_=Integer()),
        last_error=None,
        updated_at=bindparam("_now", type_=T.c.updated_at.type),
        succeeded_at=bindparam("_now", type_=T.c.succeeded_at.type),
    )
)
RECORDED = (
    update(T)
    .where(
        org_criterion(T),
        T.c.id == bindparam("_id"),
        T.c.locked_until == bindparam("_lease", type_=T.c.locked_until.type),
    )
    .values(
        status=bindparam("status"),
        attempts=bindparam("attempts", type_=Integer()),
        next_attempt_at=bindparam("next_attempt_at", type_=T.c.next_attempt_at.type),
        locked_until=None,
        last_status_code=bindparam("last_status_code", type_=Integer()),
        last_error=bindparam("last_error"),
        updated_at=bindparam("_now", type_=T.c.updated_at.type),
        succeeded_at=bindparam("succeeded_at", type_=T.c.succeeded_at.type),
    )
)


class Outbox:
    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    async def depth(self) -> int:
        return int(await self.sql.scalar(OUTBOX_DEPTH) or 0)

    async def due(
        self, now: datetime, limit: int, full_endpoints: list[str], full_organizations: list[str]
    ) -> list[Due]:
        """Due deliveries no other worker holds, oldest first, but those of full endpoints and organizations;
        locked (PostgreSQL) until the transaction ends."""
        params = {
            "now": now,
            "limit": limit,
            "full_endpoints": full_endpoints,
            "full_organizations": full_organizations,
        }
        return [Due(r[0], r[1], r[2]) for r in await self.sql.rows(DUE, params)]

    async def lease(self, ids: list[str], lease: datetime) -> list[Claimed]:
        if not ids:
            return []
        rows = await self.sql.rows(LEASE, {"ids": ids, "lease": lease})
        return [Claimed(r[0], r[1], r[2], r[3], r[4], r[5], r[6], lease) for r in rows]

    async def endpoints(self, ids: list[str]) -> dict[str, WebhookEndpoint]:
        """The endpoints of a claimed batch, across organizations, in one statement."""
        repository = WebhookRepository(self.sql, "")
        rows = await self.sql.rows(ENDPOINTS, {"ids": ids})
        return {e.id: e for e in (repository.to_entity(r) for r in rows)}

    async def record_successes(self, batch: Sequence[tuple[Claimed, int | None, int, datetime]]) -> None:
        """A batch of successes (delivery, status code, latency in ms, when) across organizations, as two
        statements sent with executemany; each attempt names its own organization."""
        attempts = [
            {
                "id": new_id("wha"),
                ORG: c.organization_id,
                "delivery_id": c.id,
                "attempted_at": now,
                "status_code": code,
                "latency_ms": ms,
                "error": None,
            }
            for c, code, ms, now in batch
        ]
        updates = [
            {"_id": c.id, "_lease": c.lease, "_attempts": c.attempts + 1, "_code": code, "_now": now}
            for c, code, _ms, now in batch
        ]
        await self.sql.run_many(ATTEMPT_INSERT, attempts)
        await self.sql.run_many(SUCCEEDED, updates)

    async def record_attempt(self, attempt: dict[str, Any]) -> None:
        """In the delivery's organization's unit of work."""
        await self.sql.run(ATTEMPT_INSERT, attempt)

    async def record_outcome(self, outcome: dict[str, Any]) -> None:
        """The delivery's new state, written only while this worker's lease (`_lease`) still holds it."""
        await self.sql.run(RECORDED, outcome)
