"""The delivery worker.

Claims: on PostgreSQL `SELECT … FOR UPDATE SKIP LOCKED` then `UPDATE … RETURNING` in one transaction, so
that several workers share the outbox without a broker; on SQLite the same statements without the lock
clause (one worker). Each claim takes a fair share (app/domain/webhooks/fairness.py): no endpoint over
WEBHOOK_PER_ENDPOINT attempts in flight, no organization over WEBHOOK_PER_ORGANIZATION, organizations in
turn. A claim is a lease (`locked_until`) longer than an attempt may run (each attempt, all of it, ends
at WEBHOOK_TIMEOUT: app/worker/net.py), so no delivery is sent again while its attempt runs; a worker
killed mid-send leaves its deliveries to be claimed again when the lease ends, so nothing is lost (at
least once; a crash may cause a duplicate).
Wake-ups: LISTEN/NOTIFY on PostgreSQL (the commit that writes a delivery notifies), coalesced into one
event, with polling as the fallback and the only way on SQLite."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import time
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import structlog
from httpx_aiohttp import AiohttpTransport
from sqlalchemy.engine import make_url

from app.domain.webhooks.fairness import Claimed, Due, InFlight, fair_pick
from app.domain.webhooks.messages import chat_body
from app.domain.webhooks.model import (
    WebhookEndpoint,
    sign,
)
from app.repo.uow import NOTIFY_CHANNEL, Database
from app.settings import Settings
from app.worker.metrics import WorkerMetrics
from app.worker.net import Outcome, SystemResolver, post
from app.worker.recording import Recorder

log = structlog.get_logger("liaison.worker")
PURGE_EVERY = 600  # seconds
CANDIDATES_PER_SLOT = 4  # due deliveries read per free slot, among which a fair share is picked
USER_AGENT = "Liaison-Webhooks/1.0 (+https://www.standardwebhooks.com/)"


def delivery_client(settings: Settings) -> httpx.AsyncClient:
    """httpx's API on aiohttp's connection handling (the httpx-aiohttp transport). httpx's own pool slows
    down sharply with many requests in flight (encode/httpx#3215): bench/bench_webhooks.py measured it at
    about a tenth of aiohttp with 32 in flight. Redirects are never followed."""
    n = settings.webhook_concurrency
    transport = AiohttpTransport(limits=httpx.Limits(max_connections=n, max_keepalive_connections=n))
    return httpx.AsyncClient(transport=transport, timeout=settings.webhook_timeout, follow_redirects=False)


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
        self.lease = timedelta(seconds=max(settings.webhook_lease_seconds, settings.webhook_timeout * 2))
        self.client = client
        self._own_client = client is None
        self.resolver = SystemResolver()
        self.in_flight = InFlight.empty()
        self._wake = asyncio.Event()
        self.recorder = Recorder(db, settings, self.metrics)

    def _http(self) -> httpx.AsyncClient:
        if self.client is None:
            self.client = delivery_client(self.settings)
        return self.client

    # --- the loop --------------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        wake = self._wake = asyncio.Event()
        listener = await self._listen(wake)
        tasks: set[asyncio.Task[None]] = set()
        recorder_stop = asyncio.Event()
        recorder = asyncio.create_task(self.recorder.record_successes(recorder_stop))
        last_depth = 0.0
        last_purge = -float("inf")  # the first pass purges (monotonic time may start near zero at boot)
        log.info("worker_started", listen=listener is not None)
        try:
            while not stop.is_set():
                wake.clear()  # what happens from here on (a notify, a finished attempt) wakes the wait below
                free = self.settings.webhook_concurrency - len(tasks)
                claimed = await self._claim(free) if free > 0 else []
                endpoints = await self._endpoints({c.endpoint_id for c in claimed}) if claimed else {}
                for c in claimed:
                    task = asyncio.create_task(self._deliver(c, endpoints.get(c.endpoint_id)))
                    tasks.add(task)
                    self.in_flight.start(c.due)
                    task.add_done_callback(functools.partial(self._done, tasks, c.due))
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
            depth = await uow.outbox.depth()
        self.metrics.outbox.set(depth)

    def _done(self, tasks: set[asyncio.Task[None]], due: Due, task: asyncio.Task[None]) -> None:
        """A slot is free, and its endpoint's and organization's shares have room again: claim now."""
        tasks.discard(task)
        self.in_flight.end(due)
        self._wake.set()

    async def _claim(self, free: int) -> list[Claimed]:
        """A fair share of the due deliveries for `free` slots (app/domain/webhooks/fairness.py)."""
        now = datetime.now(UTC)
        lease = now + self.lease
        per_endpoint, per_org = self.settings.webhook_per_endpoint, self.settings.webhook_per_organization
        async with self.db.system_unit_of_work(write=True) as uow:
            due = await uow.outbox.due(
                now,
                free * CANDIDATES_PER_SLOT,
                self.in_flight.full_endpoints(per_endpoint),
                self.in_flight.full_organizations(per_org),
            )
            picked = fair_pick(due, free, self.in_flight, per_endpoint, per_org)
            claimed = await uow.outbox.lease([d.id for d in picked], lease)
            await uow.commit()
        return claimed

    # --- one delivery ----------------------------------------------------------------------------------

    async def _endpoints(self, ids: set[str]) -> dict[str, WebhookEndpoint]:
        """The endpoints of a claimed batch, in one statement, read after the claim (so a rotation that
        committed before it is seen)."""
        async with self.db.system_unit_of_work() as uow:
            return await uow.outbox.endpoints(sorted(ids))

    async def _deliver(self, c: Claimed, endpoint: WebhookEndpoint | None) -> None:
        """One attempt, sent as soon as it is claimed: the claim kept within the endpoint's and the
        organization's shares (fair_pick), and the lease is longer than an attempt may run."""
        try:
            if endpoint is None:
                return  # deleted: its deliveries went with it
            now = datetime.now(UTC)
            if not endpoint.enabled:
                outcome = Outcome(None, "the endpoint is disabled", None)
                await self.recorder.record(c, endpoint, outcome, 0, now, attempted=False)
                return
            timestamp = int(now.timestamp())
            message = c.payload
            if endpoint.format != "standard":  # a chat's message, with the names of what the event names
                async with self.db.unit_of_work(c.organization_id, write=False) as uow:
                    message = await chat_body(uow, c.organization_id, endpoint.format, endpoint.locale, c.payload)
            body = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()
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
                deadline=self.settings.webhook_timeout,
            )
            latency = int((time.perf_counter() - started) * 1000)
            await self.recorder.record(c, endpoint, outcome, latency, now, attempted=True)
        except Exception:  # a worker must outlive any one delivery; the lease brings it back later
            log.exception("delivery_crashed", delivery_id=c.id)


async def run_worker(settings: Settings) -> None:
    """`liaison worker`: deliver webhooks and run timed jobs until SIGTERM or SIGINT."""
    import signal

    from app.repo.engine import make_engine

    db = Database(make_engine(settings.database_url, pool_size=4, max_overflow=settings.webhook_concurrency))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    from app.domain.clock import set_clock_offset
    from app.worker.scheduler import Scheduler

    set_clock_offset(settings.clock_offset_seconds)
    try:
        await asyncio.gather(DeliveryWorker(db, settings).run(stop), Scheduler(db, settings).run(stop))
    finally:
        await db.dispose()
