"""What an outside review of handoffs found, tested by class: free JSON that cannot be stored, days out of
range, who may change a handoff after it is sent and how, who drafts for a unit, the warning after pauses,
an accepted handoff forwarded, cancelling while waiting, retries with an Idempotency-Key, the bound on a
handoff's moves, durations in other digits, inactive people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.domain.handoffs import clocks
from tests.factories import bearer, make_org
from tests.handoffs.helpers import act, handoff, member, person, unit

SCOPES = "handoffs:read handoffs:write"


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "payload",
    [{"a": 10**30}, {"a": -(2**63) - 1}, {"a": _nested(300)}, {"a": _nested(70)}],
    ids=["huge-int", "below-int64", "deep-300", "deep-70"],
)
async def test_free_json_that_cannot_be_stored_is_422_in_both_transports(
    client: httpx.AsyncClient, payload: dict[str, Any]
) -> None:
    _org, h = await make_org(client)
    s, d = await unit(client, h, "S"), await unit(client, h, "D")
    r = await client.post("/v1/handoffs", json={"title": "T", "from_unit_id": s, "to_unit_id": d, "payload": payload},
                          headers=h)  # fmt: skip
    assert r.status_code in (400, 422), r.text
    q = "mutation($i: CreateHandoffInput!) { createHandoff(input: $i) { handoff { id } userErrors { field code } } }"
    body = {"query": q, "variables": {"i": {"title": "T", "fromUnitId": s, "toUnitId": d, "payload": payload}}}
    r = await client.post("/graphql", json=body, headers=h)
    assert r.status_code < 500, r.text
    answer = r.json()
    if isinstance(payload["a"], list):  # (GraphQL's JSON parser reads a huge integer as a float: stored as one)
        assert answer.get("errors") or answer["data"]["createHandoff"]["userErrors"], answer
        assert (await client.get("/v1/handoffs", headers=h)).json()["data"] == []


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("9999-12-30", "9999-12-31"),
        ("0001-01-01", "0001-01-02"),
        ("2025-01-01", "2026-01-02"),
        ("1899-12-31", "1900-01-02"),
    ],
)
async def test_analytics_periods_out_of_range_are_422(client: httpx.AsyncClient, start: str, end: str) -> None:
    org = (await client.post("/v1/organizations", json={"name": "P", "slug": f"p-{start[:4]}", "time_zone": "Pacific/Pago_Pago"},
                             headers=bearer(None, "platform:admin"))).json()["id"]  # fmt: skip
    r = await client.get(f"/v1/analytics/handoffs?period_start={start}&period_end={end}", headers=bearer(org, "admin"))
    assert r.status_code == 422, r.text


async def test_after_sending_only_the_sides_tick_the_checklist(client: httpx.AsyncClient) -> None:
    org, h = await make_org(client)
    s, d = await unit(client, h, "S"), await unit(client, h, "D")
    doer, outsider = await person(client, h, "Doer"), await person(client, h, "Out")
    await member(client, h, doer, d)
    checklist = [{"item": "contract", "required": True, "done": False}]
    ho = await handoff(client, h, s, d, checklist=checklist)
    await act(client, h, ho["id"], "send")
    await act(client, h, ho["id"], "accept")
    dropped = [{"item": "contract", "required": False, "done": False}]
    for who, body in ((outsider, checklist), (doer, dropped), (doer, [])):
        r = await client.patch(
            f"/v1/handoffs/{ho['id']}", json={"checklist": body}, headers=bearer(org, SCOPES, person=who)
        )
        assert r.status_code in (403, 409), (who, body, r.text)
    await act(client, h, ho["id"], "complete", expect=409)
    ticked = [{"item": "contract", "required": True, "done": True}]
    r = await client.patch(
        f"/v1/handoffs/{ho['id']}", json={"checklist": ticked}, headers=bearer(org, SCOPES, person=doer)
    )
    assert r.status_code == 200, r.text
    await act(client, h, ho["id"], "complete")
    r = await client.patch(f"/v1/handoffs/{ho['id']}", json={"checklist": checklist}, headers=h)
    assert r.status_code == 409  # final: frozen


async def test_who_drafts_for_a_unit_belongs_to_it(client: httpx.AsyncClient) -> None:
    org, h = await make_org(client)
    a, b, d = await unit(client, h, "A"), await unit(client, h, "B"), await unit(client, h, "D")
    nobody, in_a = await person(client, h, "Nobody"), await person(client, h, "InA")
    await member(client, h, in_a, a)
    body = {"title": "T", "from_unit_id": a, "to_unit_id": d}
    r = await client.post(
        "/v1/handoffs", json={**body, "from_person_id": nobody}, headers=bearer(org, SCOPES, person=nobody)
    )
    assert r.status_code == 403, r.text
    ho = (await client.post("/v1/handoffs", json=body, headers=bearer(org, SCOPES, person=in_a))).json()
    r = await client.patch(
        f"/v1/handoffs/{ho['id']}", json={"from_unit_id": b}, headers=bearer(org, SCOPES, person=in_a)
    )
    assert r.status_code == 403, r.text
    r = await client.patch(f"/v1/people/{in_a}", json={"status": "inactive"}, headers=h)
    assert r.status_code == 200
    assert (
        await client.post(f"/v1/handoffs/{ho['id']}/send", headers=bearer(org, SCOPES, person=in_a))
    ).status_code == 403


def test_the_warning_keeps_a_fifth_of_the_span_however_long_the_pauses() -> None:
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    sla = clocks.new_sla()
    clocks.start(sla, t0, None, t0 + timedelta(seconds=10))
    assert clocks.next_due(sla, "complete") == t0 + timedelta(seconds=8)
    clocks.pause(sla, t0 + timedelta(seconds=1), "waiting")
    clocks.resume(sla, t0 + timedelta(seconds=6))  # 5 s of pause
    assert clocks.next_due(sla, "complete") == t0 + timedelta(seconds=13)  # 8 s of running time
    assert clocks.fire(sla, "complete", t0 + timedelta(seconds=12)) == []
    assert clocks.fire(sla, "complete", t0 + timedelta(seconds=16)) == ["sla_warning", "overdue"]


async def test_an_accepted_handoff_forwarded_is_timed_again_and_cancel_moves_due_at(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    s, d, e = [await unit(client, h, n) for n in ("S", "D", "E")]
    ho = await handoff(client, h, s, d, accept_by="2030-01-01T00:00:00Z", due_at="2030-02-01T00:00:00Z")
    await act(client, h, ho["id"], "send")
    accepted = await act(client, h, ho["id"], "accept")
    assert accepted["sla"]["accept"]["stopped_at"] is not None
    forwarded = await act(client, h, ho["id"], "forward", to_unit_id=e)
    assert forwarded["sla"]["accept"]["stopped_at"] is None  # the new unit's acceptance is timed
    moved = datetime.fromisoformat(forwarded["accept_by"].replace("Z", "+00:00"))
    assert moved > datetime(2030, 1, 1, tzinfo=UTC)  # moved by the time it stood still
    await act(client, h, ho["id"], "accept")
    await act(client, h, ho["id"], "wait", reason="papers")
    cancelled = await act(client, h, ho["id"], "cancel")
    assert cancelled["due_at"] == cancelled["sla"]["complete"]["deadline"]


async def test_actions_and_comments_honour_idempotency_keys(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    s, d = await unit(client, h, "S"), await unit(client, h, "D")
    ho = await handoff(client, h, s, d)
    first = await client.post(f"/v1/handoffs/{ho['id']}/send", headers={**h, "Idempotency-Key": "send-1"})
    again = await client.post(f"/v1/handoffs/{ho['id']}/send", headers={**h, "Idempotency-Key": "send-1"})
    assert first.status_code == again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    for _ in range(2):
        r = await client.post(f"/v1/handoffs/{ho['id']}/comments", json={"body": "hi"},
                              headers={**h, "Idempotency-Key": "c-1"})  # fmt: skip
        assert r.status_code == 201
    assert len((await client.get(f"/v1/handoffs/{ho['id']}/comments", headers=h)).json()["data"]) == 1
    events = (await client.get("/v1/events", params={"type": "handoff.*"}, headers=h)).json()["data"]
    assert [e["type"] for e in events].count("handoff.sent") == 1


async def test_a_handoff_keeps_at_most_a_hundred_moves(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    s, d = await unit(client, h, "S"), await unit(client, h, "D")
    ho = await handoff(client, h, s, d)
    await act(client, h, ho["id"], "send")
    await act(client, h, ho["id"], "accept")
    for i in range(97):  # create, send, accept, then 97 more: 100
        await act(client, h, ho["id"], "wait" if i % 2 == 0 else "resume", **({"reason": "x"} if i % 2 == 0 else {}))
    refused = await act(client, h, ho["id"], "resume", expect=409)
    assert "100" in refused["detail"]


async def test_durations_in_other_digits_are_refused(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    for value in ("PT４H", "P１D", "PT4H\n", "P1M"):
        r = await client.post("/v1/handoff-policies", json={"accept_within": value}, headers=h)
        assert r.status_code == 422, (value, r.text)
