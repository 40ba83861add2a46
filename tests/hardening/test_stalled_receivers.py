"""Class 1 of the hardening review: one organization cannot stall webhook delivery for all. Eight
endpoints that answer 200 and then trickle their body a byte a second, four pings each (32 deliveries,
as many as the worker's slots): another organization's ping is still delivered within 2 s, every attempt
ends at the total deadline (WEBHOOK_TIMEOUT), and no delivery is sent twice while its first attempt runs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from app.worker.delivery import DeliveryWorker
from tests.factories import make_org
from tests.worker.receiver import receiver
from tests.worker.trickle import trickling_receivers

TIMEOUT = 3.0  # seconds: the attempt's total deadline in this test


@pytest.fixture
async def worker(app: Any) -> AsyncIterator[DeliveryWorker]:
    settings = app.state.settings.model_copy(
        update={
            "webhook_retry_schedule": "600",  # no second attempt within the test
            "webhook_poll_seconds": 0.1,
            "webhook_timeout": TIMEOUT,
            "webhook_lease_seconds": 1.0,  # the lease is still longer than any attempt may run
            "webhook_concurrency": 32,
            "webhook_per_endpoint": 4,
        }
    )
    w = DeliveryWorker(app.state.db, settings)
    stop = asyncio.Event()
    task = asyncio.create_task(w.run(stop))
    yield w
    stop.set()
    await task


async def _endpoint(client: httpx.AsyncClient, h: dict[str, str], url: str) -> str:
    r = await client.post("/v1/webhook-endpoints", json={"url": url, "event_types": ["unit.*"]}, headers=h)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def _attempts(client: httpx.AsyncClient, h: dict[str, str], endpoint_id: str) -> list[dict[str, Any]]:
    r = await client.get(f"/v1/webhook-endpoints/{endpoint_id}/deliveries", params={"limit": 100}, headers=h)
    assert r.status_code == 200, r.text
    return list(r.json()["data"])


async def test_trickling_receivers_do_not_stall_another_organization(
    client: httpx.AsyncClient, worker: DeliveryWorker
) -> None:
    _org_a, a = await make_org(client, "slow receivers")
    _org_b, b = await make_org(client, "someone else")
    with trickling_receivers(8) as slow, receiver() as fast:
        endpoints = [await _endpoint(client, a, t.url) for t in slow]
        for endpoint_id in endpoints:
            for _ in range(4):
                assert (await client.post(f"/v1/webhook-endpoints/{endpoint_id}/test", headers=a)).status_code == 202
        deadline = time.monotonic() + 15
        while sum(len(t.ids()) for t in slow) < 8:  # the slow ones are being sent to
            assert time.monotonic() < deadline, "the slow receivers were never called"
            await asyncio.sleep(0.05)
        theirs = await _endpoint(client, b, fast.url)
        sent = time.monotonic()
        assert (await client.post(f"/v1/webhook-endpoints/{theirs}/test", headers=b)).status_code == 202
        got = await asyncio.to_thread(fast.wait_for, 1, 10.0)
        assert got[0].at - sent < 2.0, f"the other organization's ping waited {got[0].at - sent:.1f} s"

        # every slow delivery gets its one attempt, cut at the deadline, and none is sent twice meanwhile
        deadline = time.monotonic() + 60
        while True:
            deliveries = [d for e in endpoints for d in await _attempts(client, a, e)]
            if len(deliveries) == 32 and all(d["attempts"] == 1 for d in deliveries):
                break
            assert time.monotonic() < deadline, [(d["status"], d["attempts"]) for d in deliveries]
            await asyncio.sleep(0.2)
        assert all("timed out" in (d["last_error"] or "") for d in deliveries), {d["last_error"] for d in deliveries}
        ids = [i for t in slow for i in t.ids()]
        assert len(ids) == 32 and len(set(ids)) == 32, "a delivery was sent again while its first attempt ran"


async def test_a_huge_answer_is_not_read(client: httpx.AsyncClient, worker: DeliveryWorker) -> None:
    """The worker reads at most 64 KiB of an answer: a receiver that sends 256 MiB has most of it refused."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    written = [0]
    total = 256 * 1024 * 1024

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            self.send_response(200)
            self.send_header("content-length", str(total))
            self.end_headers()
            chunk = b"x" * 65536
            try:
                while written[0] < total:
                    self.wfile.write(chunk)
                    written[0] += len(chunk)
            except OSError:
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _org, h = await make_org(client)
        endpoint_id = await _endpoint(client, h, f"http://127.0.0.1:{server.server_address[1]}/hook")
        assert (await client.post(f"/v1/webhook-endpoints/{endpoint_id}/test", headers=h)).status_code == 202
        deadline = time.monotonic() + 30
        while not (deliveries := await _attempts(client, h, endpoint_id)) or deliveries[0]["attempts"] == 0:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.1)
        assert deliveries[0]["status"] == "succeeded", deliveries[0]
        assert written[0] < 32 * 1024 * 1024, f"{written[0] / 2**20:.0f} MiB of the answer were taken"
    finally:
        server.shutdown()
        server.server_close()
