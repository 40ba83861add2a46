"""Webhooks end to end: a real receiver on 127.0.0.1, the real worker, signatures verified with the
`standardwebhooks` package (not with our own code)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from app.main import create_app
from app.worker.delivery import DeliveryWorker
from tests.conftest import make_settings
from tests.factories import make_org
from tests.worker.receiver import receiver


@pytest.fixture
async def worker(app: Any) -> AsyncIterator[DeliveryWorker]:
    settings = app.state.settings.model_copy(
        update={"webhook_retry_schedule": "1,1,1", "webhook_poll_seconds": 0.1, "webhook_timeout": 5}
    )
    w = DeliveryWorker(app.state.db, settings)
    stop = asyncio.Event()
    task = asyncio.create_task(w.run(stop))
    yield w
    stop.set()
    await task


async def endpoint(client: httpx.AsyncClient, h: dict[str, str], url: str, types: list[str]) -> dict[str, Any]:
    r = await client.post("/v1/webhook-endpoints", json={"url": url, "event_types": types}, headers=h)
    assert r.status_code == 201, r.text
    return r.json()


async def until(predicate: Any, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_deliveries_verify_with_standard_webhooks(client: httpx.AsyncClient, worker: DeliveryWorker) -> None:
    _org, h = await make_org(client)
    with receiver() as rx:
        ep = await endpoint(client, h, rx.url, ["unit.*"])
        assert (
            ep["secret"].startswith("whsec_")
            and "secret" not in (await client.get(f"/v1/webhook-endpoints/{ep['id']}", headers=h)).json()
        )
        unit = (await client.post("/v1/units", json={"name": "Sales", "kind": "department"}, headers=h)).json()
        await client.post("/v1/people", json={"given_name": "A", "family_name": "B", "email": "a@b.test"}, headers=h)
        got = await asyncio.to_thread(rx.wait_for, 1)
        await asyncio.sleep(0.5)
        assert len(rx.got) == 1, "person.created is not subscribed"
        payload = Webhook(ep["secret"]).verify(got[0].body, got[0].headers)
        event = (await client.get("/v1/events", params={"type": "unit.created"}, headers=h)).json()["data"][0]
        assert got[0].headers["webhook-id"] == event["id"] == payload["id"]
        assert payload["type"] == "unit.created" and payload["data"] == event["data"]
        assert payload["data"]["object"]["id"] == unit["id"] and set(payload) == {"id", "type", "timestamp", "data"}
        assert got[0].headers["user-agent"].startswith("Liaison-Webhooks/")
        with pytest.raises(WebhookVerificationError):
            Webhook("whsec_" + "A" * 32).verify(got[0].body, got[0].headers)


async def test_during_a_rotation_both_secrets_verify(client: httpx.AsyncClient, worker: DeliveryWorker) -> None:
    _org, h = await make_org(client)
    with receiver() as rx:
        ep = await endpoint(client, h, rx.url, ["unit.created"])
        rotated = (await client.post(f"/v1/webhook-endpoints/{ep['id']}/rotate-secret", headers=h)).json()
        assert rotated["secret"] != ep["secret"]
        await client.post("/v1/units", json={"name": "Ops", "kind": "team"}, headers=h)
        got = (await asyncio.to_thread(rx.wait_for, 1))[0]
        assert len(got.headers["webhook-signature"].split(" ")) == 2
        for secret in (ep["secret"], rotated["secret"]):
            assert Webhook(secret).verify(got.body, got.headers)["type"] == "unit.created"


async def test_500_twice_then_200_makes_three_attempts_with_one_id(
    client: httpx.AsyncClient, worker: DeliveryWorker
) -> None:
    _org, h = await make_org(client)
    with receiver(script=[500, 500, 200]) as rx:
        ep = await endpoint(client, h, rx.url, ["unit.created"])
        await client.post("/v1/units", json={"name": "Ops", "kind": "team"}, headers=h)
        got = await asyncio.to_thread(rx.wait_for, 3, 20)
        assert len({r.headers["webhook-id"] for r in got}) == 1
        for r in got:
            Webhook(ep["secret"]).verify(r.body, r.headers)

        async def logged() -> bool:
            d = (await client.get(f"/v1/webhook-endpoints/{ep['id']}/deliveries", headers=h)).json()["data"]
            return bool(d) and d[0]["status"] == "succeeded"

        await until(logged)
        d = (await client.get(f"/v1/webhook-endpoints/{ep['id']}/deliveries", headers=h)).json()["data"][0]
        assert d["attempts"] == 3 and [a["status_code"] for a in d["attempt_log"]] == [500, 500, 200]
        # The schedule (1 s ± 20 %) by when the worker started each attempt: a retry never comes early; the
        # receiver's own clock would add its thread's delays on a busy machine.
        started = sorted(datetime.fromisoformat(a["attempted_at"].replace("Z", "+00:00")) for a in d["attempt_log"])
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(started)]
        assert all(0.79 <= g <= 10 for g in gaps), gaps
        assert all(a["latency_ms"] >= 0 for a in d["attempt_log"]) and d["attempt_log"][0]["error"] == "HTTP 500"


async def test_410_disables_the_endpoint(client: httpx.AsyncClient, worker: DeliveryWorker) -> None:
    _org, h = await make_org(client)
    with receiver(default=410) as rx:
        ep = await endpoint(client, h, rx.url, ["unit.created"])
        await client.post("/v1/units", json={"name": "Ops", "kind": "team"}, headers=h)
        await asyncio.to_thread(rx.wait_for, 1)

        async def off() -> bool:
            return not (await client.get(f"/v1/webhook-endpoints/{ep['id']}", headers=h)).json()["enabled"]

        await until(off)
        events = (await client.get("/v1/events", params={"type": "webhook_endpoint.disabled"}, headers=h)).json()[
            "data"
        ]
        assert len(events) == 1 and events[0]["data"]["previous_attributes"]["enabled"] is True


async def test_ping_retry_and_recover(client: httpx.AsyncClient, worker: DeliveryWorker) -> None:
    _org, h = await make_org(client)
    with receiver(default=503) as rx:
        ep = await endpoint(client, h, rx.url, ["person.created"])
        ping = await client.post(f"/v1/webhook-endpoints/{ep['id']}/test", headers=h)
        assert ping.status_code == 202
        first = (await asyncio.to_thread(rx.wait_for, 1))[0]
        assert Webhook(ep["secret"]).verify(first.body, first.headers)["type"] == "ping"

        async def failed() -> bool:  # 1 + 3 retries on the schedule "1,1,1", then failed
            d = (await client.get(f"/v1/webhook-endpoints/{ep['id']}/deliveries", headers=h)).json()["data"]
            return d[0]["status"] == "failed"

        await until(failed, 20)
        assert len(rx.got) == 4
        rx.default = 200
        r = await client.post(
            f"/v1/webhook-endpoints/{ep['id']}/recover", json={"since": "2026-01-01T00:00:00Z"}, headers=h
        )
        assert r.json() == {"requeued": 1}
        await asyncio.to_thread(rx.wait_for, 5)
        again = await client.post(f"/v1/webhook-deliveries/{ping.json()['id']}/retry", headers=h)
        assert again.status_code == 202
        got = await asyncio.to_thread(rx.wait_for, 6)
        assert len({r.headers["webhook-id"] for r in got}) == 1, "every retry keeps the message's id"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/h",
        "http://10.0.0.1/h",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/h",
        "http://localhost/h",
        "http://[::ffff:127.0.0.1]/h",
        "http://100.64.0.1/h",
        "http://0.0.0.0/h",
    ],
)
async def test_private_destinations_are_refused(database_url: str, url: str) -> None:
    app = create_app(make_settings(database_url, webhook_allow_private_networks=False))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        _org, h = await make_org(c)
        r = await c.post("/v1/webhook-endpoints", json={"url": url, "event_types": ["*"]}, headers=h)
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == "/url"
        bad = await c.post(
            "/v1/webhook-endpoints", json={"url": "ftp://x.test/h", "event_types": ["unit.*"]}, headers=h
        )
        assert bad.status_code == 422
    await app.state.db.dispose()


async def test_the_address_check_holds_at_delivery_time(client: httpx.AsyncClient, app: Any) -> None:
    _org, h = await make_org(client)
    with receiver() as rx:
        ep = await endpoint(client, h, rx.url, ["unit.created"])  # allowed while the flag is on…
        strict = app.state.settings.model_copy(
            update={
                "webhook_allow_private_networks": False,
                "webhook_retry_schedule": "60",
                "webhook_poll_seconds": 0.1,
            }
        )
        stop = asyncio.Event()
        task = asyncio.create_task(DeliveryWorker(app.state.db, strict).run(stop))  # …refused by a strict worker
        try:
            await client.post("/v1/units", json={"name": "Ops", "kind": "team"}, headers=h)

            async def attempted() -> bool:
                d = (await client.get(f"/v1/webhook-endpoints/{ep['id']}/deliveries", headers=h)).json()["data"]
                return bool(d) and d[0]["attempts"] == 1

            await until(attempted)
        finally:
            stop.set()
            await task
        d = (await client.get(f"/v1/webhook-endpoints/{ep['id']}/deliveries", headers=h)).json()["data"][0]
        assert d["attempt_log"][0]["status_code"] is None and "refused" in d["attempt_log"][0]["error"]
        assert rx.got == []


async def test_event_type_validation_and_wildcards(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    bad = await client.post(
        "/v1/webhook-endpoints", json={"url": "http://127.0.0.1:9/h", "event_types": ["unit.nope"]}, headers=h
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "/event_types/0"
    ok = await client.post(
        "/v1/webhook-endpoints",
        json={"url": "http://127.0.0.1:9/h", "event_types": ["handoff.*", "unit.*", "person.created"]},
        headers=h,
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["event_types"] == ["handoff.*", "unit.*", "person.created"]


async def test_metrics_show_the_outbox_and_deliveries(client: httpx.AsyncClient, app: Any) -> None:
    _org, h = await make_org(client)
    with receiver(script=[500]) as rx:
        await endpoint(client, h, rx.url, ["unit.created"])
        settings = app.state.settings.model_copy(update={"webhook_retry_schedule": "1", "webhook_poll_seconds": 0.1})
        stop = asyncio.Event()
        task = asyncio.create_task(DeliveryWorker(app.state.db, settings, app.state.worker_metrics).run(stop))
        try:
            await client.post("/v1/units", json={"name": "Ops", "kind": "team"}, headers=h)
            await asyncio.to_thread(rx.wait_for, 2)
            await asyncio.sleep(0.3)
        finally:
            stop.set()
            await task
    text = (await client.get("/metrics")).text
    assert 'liaison_webhook_deliveries_total{outcome="failed"} 1.0' in text
    assert 'liaison_webhook_deliveries_total{outcome="succeeded"} 1.0' in text
    assert "liaison_webhook_outbox_depth" in text
    assert "liaison_webhook_commit_to_delivery_seconds_count 0.0" in text, "only first-attempt successes are timed"


async def test_an_endpoint_failing_past_disable_after_is_disabled(client: httpx.AsyncClient, app: Any) -> None:
    _org, h = await make_org(client)
    with receiver(default=500) as rx:
        ep = await endpoint(client, h, rx.url, ["unit.created"])
        settings = app.state.settings.model_copy(
            update={"webhook_retry_schedule": "1,1,1,1", "webhook_poll_seconds": 0.1, "webhook_disable_after": 1}
        )
        stop = asyncio.Event()
        task = asyncio.create_task(DeliveryWorker(app.state.db, settings).run(stop))
        try:
            await client.post("/v1/units", json={"name": "Ops", "kind": "team"}, headers=h)

            async def off() -> bool:
                return not (await client.get(f"/v1/webhook-endpoints/{ep['id']}", headers=h)).json()["enabled"]

            await until(off, 15)
        finally:
            stop.set()
            await task
        assert 2 <= len(rx.got) <= 3, "failing for a second with a retry each second: disabled at the second or third"
    body = (await client.get(f"/v1/webhook-endpoints/{ep['id']}", headers=h)).json()
    assert body["disabled_reason"].startswith("failing since")
    events = (await client.get("/v1/events", params={"type": "webhook_endpoint.disabled"}, headers=h)).json()["data"]
    assert len(events) == 1
    again = await client.patch(f"/v1/webhook-endpoints/{ep['id']}", json={"enabled": True}, headers=h)
    assert again.json()["enabled"] is True and again.json()["disabled_reason"] is None


async def test_the_worker_purges_expired_idempotency_keys(
    client: httpx.AsyncClient, app: Any, database_url: str
) -> None:
    from datetime import datetime

    from sqlalchemy import text

    from app.repo.engine import make_engine

    _org, h = await make_org(client)
    await client.post("/v1/api-clients", json={"name": "a"}, headers={**h, "Idempotency-Key": "old"})
    await client.post("/v1/api-clients", json={"name": "b"}, headers={**h, "Idempotency-Key": "fresh"})
    engine = make_engine(database_url, null_pool=True)
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE idempotency_keys SET expires_at = :t WHERE key = 'old'"), {"t": datetime(2000, 1, 1)}
        )
    settings = app.state.settings.model_copy(update={"webhook_poll_seconds": 0.1})
    stop = asyncio.Event()
    task = asyncio.create_task(DeliveryWorker(app.state.db, settings).run(stop))
    await asyncio.sleep(0.5)
    stop.set()
    await task
    async with engine.connect() as conn:
        keys = sorted((await conn.execute(text("SELECT key FROM idempotency_keys"))).scalars())
    await engine.dispose()
    assert keys == ["fresh"]
