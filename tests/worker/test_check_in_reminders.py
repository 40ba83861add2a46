"""`key_result.check_in_due` exactly once per period: 100 weekly key results, two `liaison worker`
processes, a restart between the two periods. A week passes through LIAISON_CLOCK_OFFSET_SECONDS, a
setting every process reads (8 days ahead, then 15), not through a mock."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, or_, select

from app.repo.jobs import T as JOBS
from tests.factories import make_org
from tests.objectives.helpers import key_result, objective, unit
from tests.processes import worker

DAY = 86_400
COUNT = 100


async def _reminders(client: httpx.AsyncClient, h: dict[str, str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"type": "key_result.check_in_due", "limit": 200}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/v1/events", params=params, headers=h)).json()
        found += page["data"]
        cursor = page["next_cursor"]
        if not cursor:
            return found


async def _settled(app: Any, offset_days: int) -> bool:
    """No job is due at the workers' time, nor held by one: nothing more can be sent in this period."""
    now = datetime.now(UTC) + timedelta(days=offset_days)
    stmt = select(func.count()).select_from(JOBS).where(or_(JOBS.c.due_at <= now, JOBS.c.locked_until.is_not(None)))
    async with app.state.db.system_unit_of_work() as uow:
        return int(await uow.sql.scalar(stmt)) == 0


async def _until(check: Any, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


async def test_check_in_due_once_per_period_with_two_workers_and_a_restart(
    app: Any, client: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    _org, h = await make_org(client)
    u = await unit(client, h, "Sales")
    o = await objective(client, h, u)
    krs = [(await key_result(client, h, o["id"], 10, check_in_cadence="weekly"))["id"] for _ in range(COUNT)]
    quiet = await key_result(client, h, o["id"], 10)  # no cadence: never reminded
    log = tmp_path / "workers.log"

    for phase, offset_days in ((1, 8), (2, 15)):
        settings = {"clock_offset_seconds": str(offset_days * DAY), "scheduler_poll_seconds": "0.2"}
        with ExitStack() as stack:
            for _ in range(2):
                stack.enter_context(worker(database_url, log, **settings))

            async def all_sent(phase: int = phase) -> bool:
                return len(await _reminders(client, h)) >= COUNT * phase

            await _until(all_sent, f"{COUNT * phase} reminders ({log.read_text()[-2000:]})")
            await _until(lambda offset_days=offset_days: _settled(app, offset_days), "the jobs to settle")
        # both workers stopped (the restart between the periods)
        sent = Counter(e["data"]["object"]["id"] for e in await _reminders(client, h))
        assert set(sent) == set(krs)
        assert set(sent.values()) == {phase}, sent.most_common(3)
        assert quiet["id"] not in sent
        assert all(e["actor"]["type"] == "scheduler" for e in await _reminders(client, h))


async def test_health_follows_the_calendar_without_a_check_in(
    app: Any, client: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    """An open objective nobody checks in on falls behind as its period runs: the scheduler re-evaluates it
    each midnight of the organization's day and records the change."""
    _org, h = await make_org(client)
    u = await unit(client, h, "Sales")
    today = datetime.now(UTC).date()
    period = {
        "period_start": (today - timedelta(days=1)).isoformat(),
        "period_end": (today + timedelta(days=29)).isoformat(),
    }
    o = await objective(client, h, u, **period)
    assert o["health"] == "on_track"  # a day into thirty, nothing done yet: on track
    with worker(database_url, tmp_path / "w.log", clock_offset_seconds=str(20 * DAY), scheduler_poll_seconds="0.2"):

        async def fell_behind() -> bool:
            r = await client.get(f"/v1/objectives/{o['id']}", headers=h)
            return bool(r.json()["health"] == "off_track")

        await _until(fell_behind, "the objective to be off track")
    events = (await client.get("/v1/events", params={"type": "objective.updated"}, headers=h)).json()["data"]
    (change,) = [e for e in events if e["data"]["object"]["id"] == o["id"]]
    assert change["actor"]["type"] == "scheduler"
    assert change["data"]["previous_attributes"] == {"health": "on_track"}
