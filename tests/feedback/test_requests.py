"""Feedback requests: the people asked answer with feedback that names the request, once each; the request
shows how many answered and, by name, only those who answered by name; `feedback_request.due` once when
the date passes with someone yet to answer (the scheduler, a day ahead through LIAISON_CLOCK_OFFSET_SECONDS)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.factories import bearer, make_org
from tests.feedback.test_anonymity import person
from tests.processes import worker

ACT = "feedback:read feedback:write"
DAY = 86_400


async def test_a_request_answered_by_name_and_anonymously_then_due(
    app: Any, client: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    org, h = await make_org(client)
    asker, named, hidden, silent, outsider = [
        await person(client, h, n, "X") for n in ("Ask", "Nam", "Hid", "Sil", "Out")
    ]
    due = (datetime.now(UTC) + timedelta(hours=6)).isoformat()
    r = await client.post(
        "/v1/feedback-requests",
        json={"respondent_person_ids": [named, hidden, silent], "due_at": due, "allow_anonymous": True,
              "message": "How was the Q3 handoff?"},
        headers=bearer(org, ACT, person=asker),
    )  # fmt: skip
    assert r.status_code == 201 and r.json()["requester_person_id"] == asker, r.text
    request = r.json()["id"]

    def answer(who: str, anonymous: bool) -> dict[str, Any]:
        return {"recipient_person_id": asker, "kind": "suggestion", "body": f"From {who}", "request_id": request,
                "anonymous": anonymous}  # fmt: skip

    # an anonymous request takes anonymous answers only, once each
    r = await client.post("/v1/feedback", json=answer(named, False), headers=bearer(org, ACT, person=named))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "/anonymous", r.text
    for who in (named, hidden):
        r = await client.post("/v1/feedback", json=answer(who, True), headers=bearer(org, ACT, person=who))
        assert r.status_code == 201, r.text
    r = await client.post("/v1/feedback", json=answer(hidden, True), headers=bearer(org, ACT, person=hidden))
    assert r.status_code == 409, r.text
    r = await client.post("/v1/feedback", json=answer(outsider, True), headers=bearer(org, ACT, person=outsider))
    assert r.status_code == 403, r.text
    shown = (await client.get(f"/v1/feedback-requests/{request}", headers=h)).json()
    assert shown["answered_person_ids"] == [] and shown["answers"] == 0  # the anonymous ones: after their day

    # fewer than three people asked cannot be answered anonymously; a named request takes names only
    r = await client.post(
        "/v1/feedback-requests",
        json={"respondent_person_ids": [named, hidden], "due_at": due, "allow_anonymous": True},
        headers=bearer(org, ACT, person=asker),
    )
    assert r.status_code == 422, r.text
    r = await client.post(
        "/v1/feedback-requests",
        json={"respondent_person_ids": [named, hidden], "due_at": due},
        headers=bearer(org, ACT, person=asker),
    )
    named_request = r.json()["id"]
    body = {**answer(named, False), "request_id": named_request}
    assert (await client.post("/v1/feedback", json=body, headers=bearer(org, ACT, person=named))).status_code == 201
    assert (await client.post("/v1/feedback", json=body, headers=bearer(org, ACT, person=named))).status_code == 409
    r = await client.post("/v1/feedback", json={**body, "anonymous": True}, headers=bearer(org, ACT, person=hidden))
    assert r.status_code == 422, r.text
    shown = (await client.get(f"/v1/feedback-requests/{named_request}", headers=h)).json()
    assert shown["answered_person_ids"] == [named] and shown["answers"] == 1

    with worker(database_url, tmp_path / "w.log", clock_offset_seconds=str(DAY), scheduler_poll_seconds="0.2"):
        deadline = time.monotonic() + 60
        while True:
            events = (await client.get("/v1/events", params={"type": "feedback_request.due"}, headers=h)).json()["data"]
            if any(e["data"]["object"]["id"] == request for e in events):
                break
            assert time.monotonic() < deadline, (tmp_path / "w.log").read_text()[-2000:]
            await asyncio.sleep(0.2)
    (due_event,) = [e for e in events if e["data"]["object"]["id"] == request]
    assert due_event["data"]["object"]["status"] == "due" and due_event["data"]["object"]["answers"] == 2
    assert due_event["actor"]["type"] == "scheduler"
    r = await client.post("/v1/feedback", json=answer(silent, True), headers=bearer(org, ACT, person=silent))
    assert r.status_code == 409, r.text  # due: no more anonymous answers
