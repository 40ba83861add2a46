"""An end that comes by itself is announced: a role assignment or a membership whose future `ends_on` day
comes gets `role_assignment.ended` / `membership.ended` from the scheduler, once, and an end moved later
waits for its new day. Days pass through LIAISON_CLOCK_OFFSET_SECONDS, a setting every process reads."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.factories import make_org
from tests.processes import worker
from tests.roles.helpers import assign, member, person, role, unit
from tests.worker.test_check_in_reminders import _settled, _until

DAY = 86_400
MERGE = {"content-type": "application/merge-patch+json"}


async def _ended(client: httpx.AsyncClient, h: dict[str, str]) -> list[dict[str, Any]]:
    params = {"type": "role_assignment.ended,membership.ended", "limit": 200}
    found: list[dict[str, Any]] = (await client.get("/v1/events", params=params, headers=h)).json()["data"]
    return found


async def test_future_ends_are_announced_when_their_day_comes(
    app: Any, client: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    _org, h = await make_org(client)
    sales = await unit(client, h, "Sales")
    ann, bob = await person(client, h, "Ann"), await person(client, h, "Bob")
    reviewer = await role(client, h, "Reviewer")
    today = datetime.now(UTC).date()
    soon, later = (today + timedelta(days=2)).isoformat(), (today + timedelta(days=10)).isoformat()
    ending = await assign(client, h, reviewer, ann, ends_on=soon)
    moved = await assign(client, h, reviewer, bob, ends_on=soon)
    r = await client.patch(f"/v1/role-assignments/{moved}", json={"ends_on": later}, headers={**h, **MERGE})
    assert r.status_code == 200, r.text
    await member(client, h, ann, sales, ends_on=soon)
    (membership,) = (await client.get("/v1/memberships", params={"person_id": ann}, headers=h)).json()["data"]
    assert await _ended(client, h) == []

    with worker(database_url, tmp_path / "w.log", clock_offset_seconds=str(3 * DAY), scheduler_poll_seconds="0.2"):
        deadline = time.monotonic() + 60
        while len(await _ended(client, h)) < 2:
            assert time.monotonic() < deadline, (tmp_path / "w.log").read_text()[-2000:]
            await asyncio.sleep(0.2)
        await _until(lambda: _settled(app, 3), "the jobs to settle")  # nothing more is due, nothing held
    ended = await _ended(client, h)
    assert Counter((e["type"], e["data"]["object"]["id"]) for e in ended) == {
        ("role_assignment.ended", ending): 1,
        ("membership.ended", membership["id"]): 1,
    }
    assert all(e["actor"]["type"] == "scheduler" for e in ended)
