"""The handoffs' clocks, run by `liaison worker` processes in real seconds:

- waiting pauses the complete clock: accepted with a 4 s complete clock, waiting 3 s in between, it is not
  overdue at 5 s, its `due_at` has moved by the pause, and it is overdue, once, after 7 s;
- 100 handoffs whose accept clock runs out within 2 s, two workers and a restart between: exactly one
  `handoff.overdue` with `clock: accept` each (and one warning each)."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from tests.factories import make_org
from tests.handoffs.helpers import act, handoff, unit
from tests.processes import worker

FAST = {"scheduler_poll_seconds": "0.1", "scheduler_lease_seconds": "2"}


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def _events(client: httpx.AsyncClient, h: dict[str, str], kind: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"type": kind, "limit": 200, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/events", params=params, headers=h)).json()
        found += page["data"]
        if not (cursor := page["next_cursor"]):
            return found


async def _until(check: Any, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def _sleep_until(t: float) -> None:
    await asyncio.sleep(max(0.0, t - time.monotonic()))


async def test_waiting_pauses_the_complete_clock(client: httpx.AsyncClient, database_url: str, tmp_path: Path) -> None:
    _org, h = await make_org(client)
    sales, delivery = await unit(client, h, "Sales"), await unit(client, h, "Delivery")
    r = await client.post("/v1/handoff-policies", json={"complete_within": "PT4S"}, headers=h)
    assert r.status_code == 201
    ho = await handoff(client, h, sales, delivery)
    with worker(database_url, tmp_path / "w.log", **FAST):
        t0 = time.monotonic()
        sent = await act(client, h, ho["id"], "send")
        due = _at(sent["due_at"])
        await act(client, h, ho["id"], "accept")
        await act(client, h, ho["id"], "wait", reason="the signed order form")
        await _sleep_until(t0 + 3.2)
        resumed = await act(client, h, ho["id"], "resume")
        pause = _at(resumed["sla"]["complete"]["pauses"][0]["to"]) - _at(
            resumed["sla"]["complete"]["pauses"][0]["from"]
        )
        assert resumed["sla"]["complete"]["pauses"][0]["reason"] == "the signed order form"
        assert _at(resumed["due_at"]) - due == pause  # due_at moved by the pause
        await _sleep_until(t0 + 5)
        now = (await client.get(f"/v1/handoffs/{ho['id']}", headers=h)).json()
        assert now["overdue"] is False and now["sla"]["complete"]["overdue_at"] is None
        assert await _events(client, h, "handoff.overdue") == []

        async def overdue() -> bool:
            return bool(await _events(client, h, "handoff.overdue"))

        await _until(overdue, "the overdue event")
        assert time.monotonic() - t0 >= 6.5  # not before the moved deadline (4 s + the pause)
        await _sleep_until(time.monotonic() + 1)  # a second more: still one
    (event,) = await _events(client, h, "handoff.overdue")
    assert event["data"]["clock"] == "complete" and event["actor"]["type"] == "scheduler"
    assert event["data"]["object"]["overdue"] is True
    warnings = await _events(client, h, "handoff.sla_warning")
    assert [w["data"]["clock"] for w in warnings] == ["complete"]


async def test_a_hundred_accept_clocks_run_out_once_each_across_two_workers_and_a_restart(
    client: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    _org, h = await make_org(client)
    sales, delivery = await unit(client, h, "Sales"), await unit(client, h, "Delivery")
    r = await client.post("/v1/handoff-policies", json={"accept_within": "PT2S"}, headers=h)
    assert r.status_code == 201
    ids = []
    for i in range(100):
        ho = await handoff(client, h, sales, delivery, title=f"H{i}")
        await act(client, h, ho["id"], "send")
        ids.append(ho["id"])
    log = tmp_path / "workers.log"
    with ExitStack() as stack:
        first = [stack.enter_context(worker(database_url, log, **FAST)) for _ in range(2)]

        async def some() -> bool:
            return len(await _events(client, h, "handoff.overdue")) >= 10

        await _until(some, "the first overdue events")
        os.killpg(first[0].pid, signal.SIGKILL)  # a crash, mid-way
    with worker(database_url, log, **FAST), worker(database_url, log, **FAST):

        async def all_of_them() -> bool:
            return len({e["data"]["object"]["id"] for e in await _events(client, h, "handoff.overdue")}) >= 100

        await _until(all_of_them, "100 overdue handoffs")
    overdue = Counter(e["data"]["object"]["id"] for e in await _events(client, h, "handoff.overdue"))
    assert set(overdue) == set(ids) and set(overdue.values()) == {1}, overdue.most_common(3)
    assert {e["data"]["clock"] for e in await _events(client, h, "handoff.overdue")} == {"accept"}
    warned = Counter(e["data"]["object"]["id"] for e in await _events(client, h, "handoff.sla_warning"))
    assert set(warned.values()) == {1} and set(warned) == set(ids)
    today = datetime.now(UTC).date().isoformat()
    r = await client.get(f"/v1/analytics/handoffs?period_start={today}&period_end={today}", headers=h)
    (pair,) = r.json()["data"]
    assert pair["offered"] == 100 and pair["overdue_rate"] == 1.0 and pair["outcomes"]["pending"] == 100
