"""Real `liaison worker` processes on PostgreSQL: killed with SIGKILL mid-stream, and two side by side.
Nothing may be lost; duplicates may come only from crashes (at-least-once)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.factories import JWT_SECRET, make_org
from tests.worker.receiver import Receiver, receiver

BIN = Path(sys.executable).parent
REPORT: list[str] = []  # printed at the end of the run by tests/conftest.py
EVENTS, BATCH = 1000, 100


def start_worker(database_url: str, lease: float, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "LIAISON_DATABASE_URL": database_url,
        "LIAISON_JWT_SECRET": JWT_SECRET,
        "LIAISON_AUTO_MIGRATE": "false",
        "LIAISON_WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
        "LIAISON_WEBHOOK_RETRY_SCHEDULE": "1,1,1,1,1",
        "LIAISON_WEBHOOK_LEASE_SECONDS": str(lease),
        "LIAISON_WEBHOOK_POLL_SECONDS": "0.2",
        "LIAISON_WEBHOOK_TIMEOUT": "1",
        "LIAISON_LOG_LEVEL": "WARNING",
    }
    with open(log, "ab") as out:
        return subprocess.Popen(
            [str(BIN / "liaison"), "worker"], env=env, stdout=out, stderr=out, start_new_session=True
        )


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    proc.wait(timeout=30)


def batch(n: int) -> dict[str, Any]:
    people = [
        {"external_id": f"E{n}-{i}", "given_name": "G", "family_name": f"F{i}", "email": f"p{n}-{i}@x.test"}
        for i in range(BATCH)
    ]
    return {"system": "hr", "units": [], "people": people}


async def delivering(rx: Receiver, more: int = 20, timeout: float = 30) -> None:
    start = len(rx.ids())
    deadline = asyncio.get_running_loop().time() + timeout
    while len(rx.ids()) < start + more:
        assert asyncio.get_running_loop().time() < deadline, "the worker is not delivering"
        await asyncio.sleep(0.01)


async def all_delivered(rx: Receiver, timeout: float = 90) -> list[str]:
    deadline = asyncio.get_running_loop().time() + timeout
    while len(set(rx.ids())) < EVENTS:
        assert asyncio.get_running_loop().time() < deadline, f"{len(set(rx.ids()))} of {EVENTS} delivered"
        await asyncio.sleep(0.1)
    return rx.ids()


async def expected_ids(client: httpx.AsyncClient, h: dict[str, str]) -> set[str]:
    ids: set[str] = set()
    cursor = None
    while True:
        params = {"type": "person.created", "limit": 200, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/events", params=params, headers=h)).json()
        ids |= {e["id"] for e in page["data"]}
        cursor = page["next_cursor"]
        if not cursor:
            return ids


@pytest.fixture
def postgres_only(engine_name: str) -> None:
    if engine_name != "postgresql":
        pytest.skip("several worker processes share the outbox on PostgreSQL (SKIP LOCKED); SQLite runs one")


async def test_sigkill_three_times_loses_nothing(
    postgres_only: None, client: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    _org, h = await make_org(client)
    with receiver(delay=0.02) as rx:
        r = await client.post(
            "/v1/webhook-endpoints", json={"url": rx.url, "event_types": ["person.created"]}, headers=h
        )
        assert r.status_code == 201
        worker = start_worker(database_url, lease=2, log=tmp_path / "worker.log")
        kills = 0
        try:
            for n in range(EVENTS // BATCH):
                assert (await client.post("/v1/sync/org-chart", json=batch(n), headers=h)).status_code == 200
                if n in (2, 5, 8):
                    await delivering(rx)  # this worker is sending now: kill it mid-stream
                    stop(worker, signal.SIGKILL)
                    kills += 1
                    worker = start_worker(database_url, lease=2, log=tmp_path / "worker.log")
            received = await all_delivered(rx)
        finally:
            stop(worker)
    assert kills == 3
    assert set(received) == await expected_ids(client, h), "every event reached the receiver"
    duplicates = len(received) - len(set(received))
    REPORT.append(f"crash test: {EVENTS} events, {kills} SIGKILLs, {len(received)} deliveries, {duplicates} duplicates")


async def test_two_workers_share_the_work_without_duplicates(
    postgres_only: None, client: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    _org, h = await make_org(client)
    with receiver() as rx:
        r = await client.post(
            "/v1/webhook-endpoints", json={"url": rx.url, "event_types": ["person.created"]}, headers=h
        )
        assert r.status_code == 201
        workers = [start_worker(database_url, lease=60, log=tmp_path / f"w{i}.log") for i in range(2)]
        try:
            for n in range(EVENTS // BATCH):
                assert (await client.post("/v1/sync/org-chart", json=batch(n), headers=h)).status_code == 200
            received = await all_delivered(rx)
            await asyncio.sleep(1)  # anything sent twice would arrive by now
            received = rx.ids()
        finally:
            for w in workers:
                stop(w)
    assert set(received) == await expected_ids(client, h)
    assert len(received) == EVENTS, f"{len(received) - EVENTS} duplicates in a clean run"
    REPORT.append(f"two workers: {EVENTS} events, {len(received)} deliveries, 0 duplicates")
