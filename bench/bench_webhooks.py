"""Webhook benchmarks on PostgreSQL, each against a baseline run side by side:

1. Fan-out throughput: the worker draining 2,000 queued deliveries (claim, sign, POST, record the attempt)
   against a baseline loop that only claims with raw asyncpg (the same SKIP LOCKED statement) and POSTs
   the same body to the same receiver with the same client and concurrency. Target: ≥ 0.6×.
2. Commit-to-delivery on an idle system, p50 and p99, against a bare LISTEN/NOTIFY round trip (commit
   of a NOTIFY to its arrival on a listening connection).
3. The HTTP client: httpx with its own pool, httpx with a pool per endpoint, httpx on aiohttp's pool (the
   httpx-aiohttp transport, which the worker uses), and aiohttp itself, POSTing to the same receiver."""

from __future__ import annotations

import asyncio
import json
import secrets
import statistics
import time
from datetime import UTC, datetime

import aiohttp
import asyncpg
import httpx

from app.domain.principal import Principal
from app.domain.webhooks.service import WebhookEndpoints
from app.repo.engine import make_engine
from app.repo.uow import Database
from app.settings import Settings
from app.worker.delivery import DeliveryWorker, delivery_client
from app.worker.net import SystemResolver
from bench.generate import create_org
from bench.harness import BIN, bench_database, server

N = 2000
CONCURRENCY = 32


PER_ENDPOINT = 4


def settings(url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=url,
        jwt_secret="b" * 40,
        webhook_allow_private_networks=True,
        webhook_concurrency=CONCURRENCY,
        webhook_per_endpoint=PER_ENDPOINT,
        webhook_poll_seconds=0.05,
    )


async def queue(db: Database, org: str, url: str, n: int) -> str:
    """An endpoint and n deliveries waiting for it (n committed unit events)."""
    admin = Principal("bench", org, frozenset({"admin"}))
    async with db.unit_of_work(org, write=True) as uow:
        ep, _ = await WebhookEndpoints(uow, admin, SystemResolver(), allow_private=True).create(
            {"url": url, "event_types": ["unit.*"]}
        )
        await uow.commit()
    from app.domain.org_chart.service import OrgChart

    for start in range(0, n, 500):
        async with db.unit_of_work(org, write=True) as uow:
            for i in range(start, min(n, start + 500)):
                await OrgChart(uow, admin).create_unit({"name": f"U{i}", "kind": "team"})
            await uow.commit()
    return ep.id


async def fan_out(dsn: str, url: str, org_id: str, receiver: str) -> tuple[float, float]:
    s = settings(url)
    db = Database(make_engine(url, pool_size=CONCURRENCY + 4))
    try:
        await queue(db, org_id, receiver, N)
        stop = asyncio.Event()
        t = time.perf_counter()
        task = asyncio.create_task(DeliveryWorker(db, s).run(stop))
        conn = await asyncpg.connect(dsn)
        while await conn.fetchval("SELECT count(*) FROM webhook_deliveries WHERE status <> 'succeeded'"):
            await asyncio.sleep(0.02)
        ours = N / (time.perf_counter() - t)
        stop.set()
        await task
        # the baseline: the same claim statement and POSTs, nothing else
        await conn.execute(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), locked_until = NULL"
        )
        claim = """UPDATE webhook_deliveries SET locked_until = now() + interval '60 seconds'
                   WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= now()
                                AND (locked_until IS NULL OR locked_until < now())
                                ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
                   RETURNING id, payload::text"""
        done_sql = "UPDATE webhook_deliveries SET status = 'succeeded' WHERE id = $1"
        pool = await asyncpg.create_pool(dsn, min_size=4, max_size=CONCURRENCY + 4)
        sent = 0
        t = time.perf_counter()
        gate = asyncio.Semaphore(PER_ENDPOINT)  # the same in-flight limit per endpoint as the worker
        async with delivery_client(settings(url)) as client:  # the same client as the worker

            async def send(row: asyncpg.Record) -> None:
                nonlocal sent
                async with gate:
                    r = await client.post(
                        receiver, content=row["payload"].encode(), headers={"content-type": "application/json"}
                    )
                if 200 <= r.status_code < 300:
                    async with pool.acquire() as c:
                        await c.execute(done_sql, row["id"])
                    sent += 1

            while sent < N:
                async with pool.acquire() as c:
                    rows = await c.fetch(claim, CONCURRENCY)
                if not rows:
                    await asyncio.sleep(0.01)
                    continue
                await asyncio.gather(*[send(r) for r in rows])
        base = N / (time.perf_counter() - t)
        await pool.close()
        await conn.close()
        return ours, base
    finally:
        await db.dispose()


class Stamp:
    """An in-process receiver that notes when each message arrives."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                writer.close()
                return
            length = 0
            msg = ""
            for line in head.split(b"\r\n"):
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                if name.lower() == "webhook-id":
                    msg = value.strip()
            await reader.readexactly(length)
            self.arrived[msg] = time.perf_counter()
            writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
            await writer.drain()


async def commit_to_delivery(dsn: str, url: str, org_id: str) -> tuple[list[float], list[float]]:
    stamp = Stamp()
    srv = await asyncio.start_server(stamp.handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    s = settings(url)
    db = Database(make_engine(url))
    admin = Principal("bench", org_id, frozenset({"admin"}))
    ours: list[float] = []
    stop = asyncio.Event()
    try:
        async with db.unit_of_work(org_id, write=True) as uow:
            await WebhookEndpoints(uow, admin, SystemResolver(), allow_private=True).create(
                {"url": f"http://127.0.0.1:{port}/h", "event_types": ["person.*"]}
            )
            await uow.commit()
        task = asyncio.create_task(DeliveryWorker(db, s.model_copy(update={"webhook_poll_seconds": 5.0})).run(stop))
        await asyncio.sleep(0.5)
        from app.domain.org_chart.service import OrgChart

        for i in range(200):
            async with db.unit_of_work(org_id, write=True) as uow:
                await OrgChart(uow, admin).create_person(
                    {"given_name": "L", "family_name": str(i), "email": f"lat{i}-{secrets.token_hex(3)}@x.test"}
                )
                event_id = uow._staged[-1].id
                t0 = time.perf_counter()
                await uow.commit()
            while event_id not in stamp.arrived:
                await asyncio.sleep(0.0005)
            ours.append(stamp.arrived[event_id] - t0)
            await asyncio.sleep(0.01)
        stop.set()
        await task
    finally:
        srv.close()
        await db.dispose()
    # the baseline: a bare NOTIFY from one connection to another
    listener, sender = await asyncpg.connect(dsn), await asyncpg.connect(dsn)
    got = asyncio.Event()
    await listener.add_listener("bench", lambda *_: got.set())
    bare: list[float] = []
    for _ in range(200):
        got.clear()
        tx = sender.transaction()
        await tx.start()
        await sender.execute("SELECT pg_notify('bench', '')")
        t0 = time.perf_counter()
        await tx.commit()
        await got.wait()
        bare.append(time.perf_counter() - t0)
    await listener.close()
    await sender.close()
    return ours, bare


async def clients(receiver: str, n: int = 3000) -> dict[str, float]:
    """32 requests in flight, spread over 8 receivers' worth of endpoints (4 each, as the worker does)."""
    body = json.dumps(
        {
            "id": "evt_x",
            "type": "unit.created",
            "timestamp": datetime.now(UTC).isoformat(),
            "data": {"object": {"id": "unit_x", "name": "x" * 200}, "previous_attributes": {}},
        }
    ).encode()
    headers = {"content-type": "application/json"}
    endpoints = CONCURRENCY // PER_ENDPOINT

    async def run(post) -> float:  # type: ignore[no-untyped-def]
        gates = [asyncio.Semaphore(PER_ENDPOINT) for _ in range(endpoints)]

        async def one(i: int) -> None:
            async with gates[i % endpoints]:
                await post(i % endpoints)

        t = time.perf_counter()
        await asyncio.gather(*[one(i) for _ in range(1) for i in range(n)])
        return n / (time.perf_counter() - t)

    results: dict[str, list[float]] = {
        "httpx, its own pool": [],
        "httpx, a pool per endpoint": [],
        "httpx on aiohttp's pool (httpx-aiohttp: the worker)": [],
        "aiohttp, one shared session": [],
    }
    for _ in range(3):
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=CONCURRENCY)) as shared:

            async def hpost(_e: int) -> None:
                (await shared.post(receiver, content=body, headers=headers)).raise_for_status()

            results["httpx, its own pool"].append(await run(hpost))
        pools = [httpx.AsyncClient(limits=httpx.Limits(max_connections=PER_ENDPOINT)) for _ in range(endpoints)]

        async def ppost(e: int, pools: list[httpx.AsyncClient] = pools) -> None:
            (await pools[e].post(receiver, content=body, headers=headers)).raise_for_status()

        results["httpx, a pool per endpoint"].append(await run(ppost))
        for p in pools:
            await p.aclose()
        async with delivery_client(settings("sqlite+aiosqlite:///:memory:")) as worker_client:

            async def wpost(_e: int) -> None:
                (await worker_client.post(receiver, content=body, headers=headers)).raise_for_status()

            results["httpx on aiohttp's pool (httpx-aiohttp: the worker)"].append(await run(wpost))
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY)) as session:

            async def apost(_e: int) -> None:
                async with session.post(receiver, data=body, headers=headers) as r:
                    r.raise_for_status()
                    await r.read()

            results["aiohttp, one shared session"].append(await run(apost))
    return {k: statistics.median(v) for k, v in results.items()}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    with (
        bench_database() as (dsn, url),
        server(
            [
                str(BIN / "uvicorn"),
                "bench.receiver_app:app",
                "--port",
                "{port}",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            {},
            "/",
        ) as rx,
    ):

        async def orgs():  # type: ignore[no-untyped-def]
            conn = await asyncpg.connect(dsn)
            try:
                return (await create_org(conn, "fan-out", 5, 0, seed=4)).id, (
                    await create_org(conn, "latency", 5, 0, seed=5)
                ).id
            finally:
                await conn.close()

        fan_org, lat_org = asyncio.run(orgs())
        receiver = rx + "/hook"
        ours, base = asyncio.run(fan_out(dsn, url, fan_org, receiver))
        ratio = ours / base
        print(
            f"1. fan-out, {N} deliveries to one endpoint ({PER_ENDPOINT} in flight): worker {ours:.0f}/s vs raw asyncpg claim + POST "
            f"{base:.0f}/s → {ratio:.2f}× (target ≥ 0.60×) {'PASS' if ratio >= 0.6 else 'MISS'}"
        )
        mine, bare = asyncio.run(commit_to_delivery(dsn, url, lat_org))
        print(
            f"2. commit-to-delivery, idle, 200 changes: p50 {pct(mine, 0.5):.1f} ms, p99 {pct(mine, 0.99):.1f} ms vs bare "
            f"LISTEN/NOTIFY round trip p50 {pct(bare, 0.5):.2f} ms, p99 {pct(bare, 0.99):.2f} ms"
        )
        rates = asyncio.run(clients(receiver))
        aio = rates["aiohttp, one shared session"]
        print(f"3. HTTP client, 3000 POSTs, {CONCURRENCY} in flight over {CONCURRENCY // PER_ENDPOINT} endpoints:")
        for name, rate in rates.items():
            print(f"   {name}: {rate:.0f}/s ({rate / aio:.2f}× aiohttp)")


if __name__ == "__main__":
    main()
