"""Findings of an independent review, each shown to fail before its fix."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

from app.domain.webhooks.model import sign
from tests.factories import make_org


async def test_sync_refuses_a_cycle_through_units_of_another_system(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    sync = {
        "system": "sap",
        "people": [],
        "units": [{"external_id": "X", "name": "X", "kind": "team"}, {"external_id": "Z", "name": "Z", "kind": "team"}],
    }
    assert (await client.post("/v1/sync/org-chart", json=sync, headers=h)).status_code == 200
    ids = {u["name"]: u["id"] for u in (await client.get("/v1/units", headers=h)).json()["data"]}
    y = (await client.post("/v1/units", json={"name": "Y", "kind": "team", "parent_id": ids["Z"]}, headers=h)).json()
    assert (await client.patch(f"/v1/units/{ids['X']}", json={"parent_id": y["id"]}, headers=h)).status_code == 200
    # Z under X, while X (not in this batch) is under Y, which is under Z: a cycle through Y
    only_z = {
        "system": "sap",
        "people": [],
        "units": [{"external_id": "Z", "name": "Z", "kind": "team", "parent_external_id": "X"}],
    }
    r = await client.post("/v1/sync/org-chart", json=only_z, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "/units/0/parent_external_id"
    assert len((await client.get(f"/v1/units/{ids['Z']}/ancestors", headers=h)).json()["data"]) == 0


async def test_malformed_webhook_urls_are_422(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    for url in ("http://example.com:99999/x", "http://example.com:abc/", "http://[::1/x"):
        r = await client.post("/v1/webhook-endpoints", json={"url": url, "event_types": ["*"]}, headers=h)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "/url", (url, r.text)


async def test_sync_moving_an_email_to_another_person_is_422(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    people = [
        {"external_id": "P1", "given_name": "a", "family_name": "a", "email": "one@x.test"},
        {"external_id": "P2", "given_name": "b", "family_name": "b", "email": "two@x.test"},
    ]
    assert (
        await client.post("/v1/sync/org-chart", json={"system": "hr", "people": people}, headers=h)
    ).status_code == 200
    people[1]["email"] = "one@x.test"
    r = await client.post("/v1/sync/org-chart", json={"system": "hr", "people": people}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "/people/1/email"
    people[0]["email"], people[1]["email"] = "two@x.test", "one@x.test"  # a swap in one batch
    assert (
        await client.post("/v1/sync/org-chart", json={"system": "hr", "people": people}, headers=h)
    ).status_code == 422


async def test_instants_out_of_range_are_422_and_graphql_says_why(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    for params in ({"as_of": "0001-01-01T00:00:00+01:00"}, {"updated_since": "0001-01-01T00:00:00+01:00"}):
        assert (await client.get("/v1/units", params=params, headers=h)).status_code == 422
    r = await client.post(
        "/graphql", json={"query": '{ units(asOf: "2020-01-01") { edges { node { id } } } }'}, headers=h
    )
    message = r.json()["errors"][0]["message"]
    assert "RFC 3339" in message and "Internal" not in message


async def test_two_syncs_on_one_day_leave_no_membership_ending_before_it_starts(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    body = {
        "system": "hr",
        "units": [{"external_id": "A", "name": "A", "kind": "team"}, {"external_id": "B", "name": "B", "kind": "team"}],
        "people": [
            {"external_id": "P", "given_name": "p", "family_name": "p", "email": "p@x.test", "unit_external_id": "A"}
        ],
    }
    await client.post("/v1/sync/org-chart", json=body, headers=h)
    body["people"][0]["unit_external_id"] = "B"
    r = await client.post("/v1/sync/org-chart", json=body, headers=h)
    assert r.json()["people"] == {"created": 0, "updated": 1, "unchanged": 0}
    memberships = (await client.get("/v1/memberships", headers=h)).json()["data"]
    units = {u["id"]: u["name"] for u in (await client.get("/v1/units", headers=h)).json()["data"]}
    assert [(units[m["unit_id"]], m["primary"], m["ends_on"]) for m in memberships] == [("B", True, None)]


async def test_sync_external_ids_follow_one_rule_in_rest_and_graphql(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    long_id = "x" * 300
    r = await client.post(
        "/v1/sync/org-chart",
        json={"system": "hr", "units": [{"external_id": long_id, "name": "A", "kind": "team"}]},
        headers=h,
    )
    assert r.status_code == 422
    g = await client.post(
        "/graphql",
        json={
            "query": """mutation($e: String!) { syncOrgChart(system: "hr",
        units: [{externalId: $e, name: "A", kind: "team"}]) { units { created } userErrors { field code } } }""",
            "variables": {"e": long_id},
        },
        headers=h,
    )
    assert g.json()["data"]["syncOrgChart"]["units"] is None
    assert g.json()["data"]["syncOrgChart"]["userErrors"][0]["field"] == "/units/0/external_id"


async def test_rotating_again_keeps_the_secret_the_receiver_knows(client: httpx.AsyncClient, app: Any) -> None:
    org, h = await make_org(client)
    ep = (
        await client.post(
            "/v1/webhook-endpoints", json={"url": "http://127.0.0.1:9/h", "event_types": ["*"]}, headers=h
        )
    ).json()
    key = {"Idempotency-Key": "rotate-1"}
    first = await client.post(f"/v1/webhook-endpoints/{ep['id']}/rotate-secret", headers={**h, **key})
    replay = await client.post(f"/v1/webhook-endpoints/{ep['id']}/rotate-secret", headers={**h, **key})
    assert replay.headers["idempotent-replayed"] == "true" and "secret" not in replay.json()
    assert replay.json()["version"] == first.json()["version"], "the replay rotated nothing"
    second = (await client.post(f"/v1/webhook-endpoints/{ep['id']}/rotate-secret", headers=h)).json()
    # what the worker signs with now: the newest secret and the original one, not the unseen middle one
    async with app.state.db.unit_of_work(org, write=False) as uow:
        stored = await uow.webhooks.get(ep["id"])
    now = datetime.now(UTC)
    secrets_now = stored.signing_secrets(now)
    assert secrets_now == [second["secret"], ep["secret"]]
    body, ts = b'{"type":"ping"}', int(now.timestamp())
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(ts),
        "webhook-signature": sign(secrets_now, "msg_1", ts, body),
    }
    for secret in (ep["secret"], second["secret"]):
        Webhook(secret).verify(body, headers)
