"""Anonymity that holds for real: an anonymous feedback item and an anonymous survey response by a known
person leave nothing that names them in any answer, event, webhook payload, log line or database row
written meanwhile; a second response is refused, and nothing stored names who tried."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.domain.clock import set_clock_offset
from app.repo.tables import metadata
from tests.factories import bearer, make_org
from tests.handoffs.helpers import member
from tests.objectives.helpers import unit
from tests.processes import worker
from tests.worker.receiver import receiver

DAY = 86_400


async def dump(app: Any) -> set[str]:
    """Every row of every table, as text."""
    rows: set[str] = set()
    async with app.state.db.system_unit_of_work() as uow:
        for table in metadata.sorted_tables:
            for r in await uow.sql.rows(select(*table.columns)):
                rows.add(table.name + ": " + repr(tuple(r)))
    return rows


async def person(client: httpx.AsyncClient, h: dict[str, str], given: str, family: str) -> str:
    body = {"given_name": given, "family_name": family, "email": f"{given}.{family}@example.com".lower()}
    r = await client.post("/v1/people", json=body, headers=h)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def survey_body(audience: list[str], **more: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "title": "How we work together",
        "questions": [
            {"id": "q1", "text": "How well are we heard?", "type": "scale"},
            {"id": "q2", "text": "What would you change?", "type": "text"},
        ],
        "audience_unit_ids": audience,
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
        **more,
    }


async def test_the_leak_test(
    app: Any, client: httpx.AsyncClient, database_url: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    org, h = await make_org(client)
    team = await unit(client, h, "Support")
    zelda = await person(client, h, "Zelda", "Quimby")
    rex = await person(client, h, "Rex", "Holloway")
    await member(client, h, zelda, team, primary=True)
    as_zelda = bearer(org, "feedback:read feedback:write events:read", person=zelda, sub="zelda-token")
    as_rex = bearer(org, "feedback:read feedback:write", person=rex)
    r = await client.post("/v1/surveys", json=survey_body([team]), headers=h)
    assert r.status_code == 201 and r.json()["status"] == "open" and r.json()["audience_size"] == 1, r.text
    survey = r.json()["id"]
    with receiver() as hook:
        r = await client.post("/v1/webhook-endpoints", json={"url": hook.url, "event_types": ["*"]}, headers=h)
        assert r.status_code == 201, r.text
        before = await dump(app)
        capfd.readouterr()
        last = (await client.get("/v1/events", params={"limit": 200}, headers=h)).json()["data"][-1]["id"]

        # meanwhile: the anonymous item, the anonymous response, and every read of them
        answers: list[str] = []
        r = await client.post(
            "/v1/feedback",
            json={"recipient_person_id": rex, "kind": "concern", "body": "Handoffs arrive without notes.",
                  "visibility": "public", "anonymous": True},
            headers={**as_zelda, "Idempotency-Key": "k-1"},
        )  # fmt: skip
        assert r.status_code == 201, r.text
        item = r.json()
        answers.append(r.text)
        assert item["author_person_id"] is None and item["author"] == {}
        assert item["created_at"].endswith("T00:00:00Z") and item["created_on"] == item["created_at"][:10]  # UTC
        r = await client.post(
            f"/v1/surveys/{survey}/responses",
            json={"answers": {"q1": 2, "q2": "More notes, please."}},
            headers={**as_zelda, "Idempotency-Key": "k-2"},
        )
        assert r.status_code == 201, r.text
        answers.append(r.text)
        r = await client.post(f"/v1/surveys/{survey}/responses", json={"answers": {"q1": 5}}, headers=as_zelda)
        assert r.status_code == 409, r.text  # a second response, refused
        answers.append(r.text)
        # within its day, an anonymous item is read by no one (a read would date it)
        assert (await client.get(f"/v1/feedback/{item['id']}", headers=as_rex)).status_code == 404
        assert item["id"] not in (await client.get("/v1/feedback", headers=as_rex)).text
        for path, who in (
            ("/v1/feedback", as_rex),
            (f"/v1/events?after={last}", h),
            (f"/v1/surveys/{survey}", h),
            (f"/v1/surveys/{survey}/results", h),
        ):
            r = await client.get(path, headers=who)
            assert r.status_code == 200, (path, r.text)
            answers.append(r.text)
        gql = await client.post(
            "/graphql",
            json={"query": "{ feedbackItems(first: 50) { edges { node { id body authorPersonId author } } } }"},
            headers=as_rex,
        )
        assert gql.status_code == 200 and "errors" not in gql.json(), gql.text
        answers.append(gql.text)

        # the day ends: the held events are released (and sent) by the scheduler
        log = tmp_path / "worker.log"
        with worker(
            database_url, log, clock_offset_seconds=str(2 * DAY), scheduler_poll_seconds="0.2",
            webhook_allow_private_networks="true", log_level="INFO",
        ):  # fmt: skip
            deadline = time.monotonic() + 60
            while True:
                events = (await client.get("/v1/events", params={"after": last}, headers=h)).json()
                released = [e for e in events["data"] if e["actor"].get("type") == "anonymous"]
                if len(released) == 2:
                    break
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                await asyncio.sleep(0.2)
            got = hook.wait_for(2, timeout=60)
        answers += [json.dumps(e) for e in events["data"]]
        set_clock_offset(2 * DAY)  # this process too, the day after: the item is read, by its recipient
        try:
            for path, who in (
                (f"/v1/feedback/{item['id']}", as_rex),
                ("/v1/feedback", as_rex),
                (f"/v1/feedback/{item['id']}", h),
            ):
                r = await client.get(path, headers=who)
                assert r.status_code == 200 and item["id"] in r.text, (path, r.text)
                answers.append(r.text)
        finally:
            set_clock_offset(0)
        answers += [g.body.decode() for g in hook.got]
        assert {json.loads(g.body)["type"] for g in hook.got} >= {"feedback.created", "survey.response_added"}
        after = await dump(app)
    logs = capfd.readouterr()
    written = sorted(after - before)
    assert written, "the dump saw nothing written"
    for needle in (zelda, "Zelda", "Quimby", "zelda.quimby@example.com", "zelda-token"):
        for where, texts in (
            ("answers", answers),
            ("rows", written),
            ("logs", [logs.out, logs.err, log.read_text()]),
        ):
            hits = [t for t in texts if needle.lower() in t.lower()]
            assert hits == [], f"{needle!r} found in {where}: {hits[:2]}"
    # the released events carry no time finer than their release, and no actor
    assert all(e["actor"] == {"type": "anonymous"} for e in released)
    assert got
