"""The delivery worker.

Claims: on PostgreSQL `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING`, so that several
workers share the outbox without a broker; on SQLite the same statement without the lock clause (one
worker). A claim is a lease (`locked_until`): a worker killed mid-send leaves its deliveries to be claimed
again when the lease ends, so nothing is lost (at least once; a crash may cause a duplicate).
Wake-ups: LISTEN/NOTIFY on PostgreSQL (the commit that writes a delivery notifies), coalesced into one
event, with polling as the fallback and the only way on SQLite."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import structlog
from httpx_aiohttp import AiohttpTransport
from sqlalchemy.engine import make_url

from app.domain.changes import record
from app.domain.ids import new_id
from app.domain.principal import Principal
from app.domain.webhooks.health import after_attempt
from app.domain.webhooks.model import (
    DELIVERY_STATES,
    WebhookEndpoint,
    attempt_action,
    next_attempt,
    parse_schedule,
    sign,
)
from app.repo.outbox import ATTEMPT_INSERT, CLAIM, ENDPOINTS, OUTBOX_DEPTH, RECORDED, SUCCEEDED
from app.repo.sql import ORG
from app.repo.uow import NOTIFY_CHANNEL, Database
from app.repo.webhooks import WebhookRepository
from app.settings import Settings
from app.worker.metrics import WorkerMetrics
from app.worker.net import Outcome, SystemResolver, post

log = structlog.get_logger("liaison.worker")
PURGE_EVERY = 600  # seconds
USER_AGENT = "Liaison-Webhooks/1.0 (+https://www.standardwebhooks.com/)"


def delivery_client(settings: Settings) -> httpx.AsyncClient:
    """httpx's API on aiohttp's connection handling (the httpx-aiohttp transport). httpx's own pool slows
    down sharply with many requests in flight (encode/httpx#3215): bench/bench_webhooks.py measured it at
    about a tenth of aiohttp with 32 in flight. Redirects are never followed."""
    n = settings.webhook_concurrency
    transport = AiohttpTransport(limits=httpx.Limits(max_connections=n, max_keepalive_connections=n))
    return httpx.AsyncClient(transport=transport, timeout=settings.webhook_timeout, follow_redirects=False)


@dataclass(frozen=True)
class Claimed:
    id: str
    organization_id: str
    endpoint_id: str
    message_id: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    lease: datetime


class DeliveryWorker:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        metrics: WorkerMetrics | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.db, self.settings = db, settings
        self.metrics = metrics or WorkerMetrics()
        self.schedule = parse_schedule(settings.webhook_retry_schedule)
        self.lease = timedelta(seconds=max(settings.webhook_lease_seconds, settings.webhook_timeout * 2))
        self.client = client
        self._own_client = client is None
        self.resolver = SystemResolver()
        self.worker = Principal(subject="liaison-worker", organization_id=None, scopes=frozenset({"admin"}))
        self._per_endpoint: dict[str, asyncio.Semaphore] = {}
        self._successes: list[tuple[Claimed, Outcome, int, datetime]] = []
        self._recorded = asyncio.Event()
        self._rnd = random.Random()

    def _http(self) -> httpx.AsyncClient:
        if self.client is None:
            self.client = delivery_client(self.settings)
        return self.client

    # --- the loop --------------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        wake = asyncio.Event()
        listener = await self._listen(wake)
        tasks: set[asyncio.Task[None]] = set()
        recorder_stop = asyncio.Event()
        recorder = asyncio.create_task(self._record_successes(recorder_stop))
        last_depth = 0.0
        last_purge = -float("inf")  # the first pass purges (monotonic time may start near zero at boot)
        log.info("worker_started", listen=listener is not None)
        try:
            while not stop.is_set():
                free = self.settings.webhook_concurrency - len(tasks)
                claimed = await self._claim(free) if free > 0 else []
                endpoints = await self._endpoints({c.endpoint_id for c in claimed}) if claimed else {}
                for c in claimed:
                    task = asyncio.create_task(self._deliver(c, endpoints.get(c.endpoint_id)))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                if time.monotonic() - last_depth > 5:
                    last_depth = time.monotonic()
                    await self._measure_outbox()
                if time.monotonic() - last_purge > PURGE_EVERY:
                    last_purge = time.monotonic()
                    await self._purge_idempotency_keys()
                if claimed and len(claimed) == free:
                    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                    continue
                if listener is not None and listener.is_closed():
                    listener = await self._listen(wake)
                wake.clear()
                waits = [asyncio.ensure_future(wake.wait()), asyncio.ensure_future(stop.wait())]
                await asyncio.wait(
                    waits, timeout=self.settings.webhook_poll_seconds, return_when=asyncio.FIRST_COMPLETED
                )
                for w in waits:
                    w.cancel()
        finally:
            if tasks:
                await asyncio.wait(tasks, timeout=self.settings.webhook_timeout + 5)
            recorder_stop.set()
            await recorder
            if listener is not None and not listener.is_closed():
                await listener.close()
            if self.client is not None and self._own_client:
                await self.client.aclose()
                self.client = None
            log.info("worker_stopped")

    async def _listen(self, wake: asyncio.Event) -> asyncpg.Connection | None:
        if self.db.sqlite:
            return None
        url = make_url(str(self.db.engine.url.render_as_string(hide_password=False))).set(drivername="postgresql")
        try:
            conn = await asyncpg.connect(url.render_as_string(hide_password=False))
            await conn.add_listener(NOTIFY_CHANNEL, lambda *_: wake.set())
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("listen_unavailable", error=str(exc))
            return None
        return conn

    async def _purge_idempotency_keys(self) -> None:
        """Idempotency keys live 24 hours; the worker clears the expired ones (a maintenance chore)."""
        async with self.db.system_unit_of_work(write=True) as uow:
            removed = await uow.idempotency.purge_expired(datetime.now(UTC))
            await uow.commit()
        if removed:
            log.info("idempotency_keys_purged", count=removed)

    async def _measure_outbox(self) -> None:
        async with self.db.system_unit_of_work() as uow:
            depth = await uow.sql.scalar(OUTBOX_DEPTH)
        self.metrics.outbox.set(depth or 0)

    async def _claim(self, limit: int) -> list[Claimed]:
        now = datetime.now(UTC)
        lease = now + self.lease
        async with self.db.system_unit_of_work(write=True) as uow:
            rows = await uow.sql.rows(CLAIM, {"now": now, "lease": lease, "limit": limit})
            await uow.commit()
        return [
            Claimed(
                id=r[0],
                organization_id=r[1],
                endpoint_id=r[2],
                message_id=r[3],
                payload=r[4],
                attempts=r[5],
                created_at=r[6],
                lease=lease,
            )
            for r in rows
        ]

    # --- one delivery ----------------------------------------------------------------------------------

    async def _endpoints(self, ids: set[str]) -> dict[str, WebhookEndpoint]:
        """The endpoints of a claimed batch, in one statement, read after the claim (so a rotation that
        committed before it is seen)."""
        async with self.db.system_unit_of_work() as uow:
            repository = WebhookRepository(uow.sql, "")
            rows = await uow.sql.rows(ENDPOINTS, {"ids": sorted(ids)})
            return {e.id: e for e in (repository.to_entity(r) for r in rows)}

    async def _deliver(self, c: Claimed, endpoint: WebhookEndpoint | None) -> None:
        gate = self._per_endpoint.setdefault(c.endpoint_id, asyncio.Semaphore(self.settings.webhook_per_endpoint))
        try:
            async with gate:
                if datetime.now(UTC) + timedelta(seconds=self.settings.webhook_timeout) >= c.lease:
                    # It waited behind its endpoint's other deliveries past its lease: another claim may hold it
                    # now. Leave it to that claim (or the next) rather than send it twice.
                    return
                if endpoint is None:
                    return  # deleted: its deliveries went with it
                now = datetime.now(UTC)
                if not endpoint.enabled:
                    outcome = Outcome(None, "the endpoint is disabled", None)
                    await self._record(c, endpoint, outcome, 0, now, attempted=False)
                    return
                timestamp = int(now.timestamp())
                body = json.dumps(c.payload, separators=(",", ":"), ensure_ascii=False).encode()
                headers = {
                    "webhook-id": c.message_id,
                    "webhook-timestamp": str(timestamp),
                    "webhook-signature": sign(endpoint.signing_secrets(now), c.message_id, timestamp, body),
                    "content-type": "application/json",
                    "user-agent": USER_AGENT,
                }
                started = time.perf_counter()
                outcome = await post(
                    self._http(),
                    self.resolver,
                    endpoint.url,
                    headers,
                    body,
                    allow_private=self.settings.webhook_allow_private_networks,
                )
                latency = int((time.perf_counter() - started) * 1000)
                await self._record(c, endpoint, outcome, latency, now, attempted=True)
        except Exception:  # a worker must outlive any one delivery; the lease brings it back later
            log.exception("delivery_crashed", delivery_id=c.id)

    async def _record_successes(self, stop: asyncio.Event) -> None:
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
        attempts = [
            {
                "id": new_id("wha"),
                ORG: c.organization_id,
                "delivery_id": c.id,
                "attempted_at": now,
                "status_code": o.status_code,
                "latency_ms": ms,
                "error": None,
            }
            for c, o, ms, now in batch
        ]
        updates = [
            {"_id": c.id, "_lease": c.lease, "_attempts": c.attempts + 1, "_code": o.status_code, "_now": now}
            for c, o, _ms, now in batch
        ]
        async with self.db.system_unit_of_work(write=True) as uow:
            await uow.sql.run_many(ATTEMPT_INSERT, attempts)
            await uow.sql.run_many(SUCCEEDED, updates)
            await uow.commit()
        for c, _o, _ms, now in batch:
            self.metrics.deliveries.labels("succeeded").inc()
            if c.attempts == 0:
                self.metrics.latency.observe((now - c.created_at).total_seconds())

    async def _record(
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
                await uow.sql.run(
                    ATTEMPT_INSERT,
                    {
                        "id": new_id("wha"),
                        "delivery_id": c.id,
                        "attempted_at": now,
                        "status_code": outcome.status_code,
                        "latency_ms": latency_ms,
                        "error": error,
                    },
                )
            await uow.sql.run(
                RECORDED,
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


async def run_worker(settings: Settings) -> None:
    """`liaison worker`: deliver until SIGTERM or SIGINT."""
    import signal

    from app.repo.engine import make_engine

    db = Database(make_engine(settings.database_url, pool_size=4, max_overflow=settings.webhook_concurrency))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await DeliveryWorker(db, settings).run(stop)
    finally:
        await db.dispose()
