"""What an attempt leaves behind: the attempt in the log, the delivery's new state (from the rule table),
and the endpoint's health (app/domain/webhooks/health.py). Successes on healthy endpoints are written in
batches; the rest one delivery at a time, each in its organization's unit of work."""

from __future__ import annotations

import asyncio
import contextlib
import random
from datetime import datetime
from typing import Any

import structlog

from app.domain.changes import record
from app.domain.ids import new_id
from app.domain.principal import Principal
from app.domain.webhooks.fairness import Claimed
from app.domain.webhooks.health import after_attempt
from app.domain.webhooks.model import DELIVERY_STATES, WebhookEndpoint, attempt_action, next_attempt, parse_schedule
from app.repo.uow import Database
from app.settings import Settings
from app.worker.metrics import WorkerMetrics
from app.worker.net import Outcome

log = structlog.get_logger("liaison.worker")


class Recorder:
    def __init__(self, db: Database, settings: Settings, metrics: WorkerMetrics) -> None:
        self.db, self.settings, self.metrics = db, settings, metrics
        self.schedule = parse_schedule(settings.webhook_retry_schedule)
        self.worker = Principal(subject="liaison-worker", organization_id=None, scopes=frozenset({"admin"}))
        self._successes: list[tuple[Claimed, Outcome, int, datetime]] = []
        self._recorded = asyncio.Event()
        self._rnd = random.Random()

    async def record_successes(self, stop: asyncio.Event) -> None:
        """Successes on healthy endpoints are written in batches: one transaction, the attempts and the
        deliveries' new state with executemany. Should the worker die before a batch is written, those
        deliveries are claimed again when their lease ends and sent once more (at least once)."""
        while True:
            self._recorded.clear()
            if self._successes:
                batch, self._successes = self._successes, []
                try:
                    await self._write_successes(batch)
                except Exception:
                    log.exception("recording_failed", deliveries=len(batch))
                continue
            if stop.is_set():
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._recorded.wait(), timeout=0.05)

    async def _write_successes(self, batch: list[tuple[Claimed, Outcome, int, datetime]]) -> None:
        async with self.db.system_unit_of_work(write=True) as uow:
            await uow.outbox.record_successes([(c, o.status_code, ms, now) for c, o, ms, now in batch])
            await uow.commit()
        for c, _o, _ms, now in batch:
            self.metrics.deliveries.labels("succeeded").inc()
            if c.attempts == 0:
                self.metrics.latency.observe((now - c.created_at).total_seconds())

    async def record(
        self, c: Claimed, seen: WebhookEndpoint, outcome: Outcome, latency_ms: int, now: datetime, *, attempted: bool
    ) -> None:
        ok = outcome.status_code is not None and 200 <= outcome.status_code < 300
        if ok and attempted and seen.failing_since is None:
            self._successes.append((c, outcome, latency_ms, now))
            self._recorded.set()
            return
        gone = outcome.status_code == 410
        attempts = c.attempts + (1 if attempted else 0)
        retry_at = (
            None
            if (ok or gone or not attempted)
            else next_attempt(now, attempts, self.schedule, outcome.retry_after, self._rnd)
        )
        # Claimed deliveries are pending; the table says where this attempt's result takes them.
        status = DELIVERY_STATES.take("pending", attempt_action(ok=ok, retry_scheduled=retry_at is not None)).target
        error = outcome.error or (None if ok else f"HTTP {outcome.status_code}")
        principal = Principal(subject=self.worker.subject, organization_id=c.organization_id, scopes=self.worker.scopes)
        async with self.db.unit_of_work(c.organization_id, write=True) as uow:
            if attempted:
                await uow.outbox.record_attempt(
                    {
                        "id": new_id("wha"),
                        "delivery_id": c.id,
                        "attempted_at": now,
                        "status_code": outcome.status_code,
                        "latency_ms": latency_ms,
                        "error": error,
                    },
                )
            await uow.outbox.record_outcome(
                {
                    "_id": c.id,
                    "_lease": c.lease,
                    "status": status,
                    "attempts": attempts,
                    "next_attempt_at": retry_at,
                    "last_status_code": outcome.status_code,
                    "last_error": error,
                    "_now": now,
                    "succeeded_at": now if ok else None,
                },
            )
            # The endpoint's row is locked and changed only when its state may change: a failure, or the
            # first success after failures. A success on a healthy endpoint writes nothing there.
            if attempted and (not ok or seen.failing_since is not None):
                endpoint = await uow.webhooks.get(c.endpoint_id, for_update=True)
                if endpoint is not None:
                    await self._judge_endpoint(uow, principal, endpoint, ok=ok, gone=gone, attempted=attempted, now=now)
            await uow.commit()
        if attempted:
            self.metrics.deliveries.labels("succeeded" if ok else ("gone" if gone else "failed")).inc()
            if ok and c.attempts == 0:
                self.metrics.latency.observe((now - c.created_at).total_seconds())

    async def _judge_endpoint(
        self, uow: Any, principal: Principal, endpoint: Any, *, ok: bool, gone: bool, attempted: bool, now: datetime
    ) -> None:
        if not attempted:
            return
        verdict = after_attempt(
            endpoint, ok=ok, gone=gone, now=now, disable_after_seconds=self.settings.webhook_disable_after
        )
        if verdict.endpoint is None:
            return
        await uow.webhooks.save(verdict.endpoint, expected_version=endpoint.version)
        if verdict.disabled_changes is not None:
            event = "webhook_endpoint.disabled"
            resource = verdict.endpoint.resource()
            record(uow, principal, _Clock(now), event, resource, endpoint.organization_id, verdict.disabled_changes)


class _Clock:
    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now
