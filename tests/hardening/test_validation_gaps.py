"""Class 8 of the hardening review: validation gaps, each by its class.
- NumericDate claims (`exp`, `iat`, `nbf`) must be numbers, not numeric strings;
- an anchored pattern matches the whole value (`$` let "sap\\n" through, then the engines disagreed);
- a name shows something and holds no control character (not only zero-width spaces, not "\\x07");
- credentials that no client can hold (NUL) are the same 401 on both engines;
- an Idempotency-Key replay is answered only to a token that may make the request."""

from __future__ import annotations

import time
from urllib.parse import quote

import httpx
import pytest

from tests.factories import bearer, make_api_client, make_org


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize("value", ["4102444800", "1", True, [4102444800], {"t": 1}])
async def test_numeric_date_claims_are_numbers(client: httpx.AsyncClient, claim: str, value: object) -> None:
    org, _ = await make_org(client)
    claims = {"exp": int(time.time()) + 600, claim: value}
    r = await client.get("/v1/units", headers=bearer(org, "org:read", **claims))
    assert r.status_code == 401, r.text


TRAILING = ["sap\n", "sap\r", "sap\n\n", "sap ", "\nsap"]


async def test_patterns_match_the_whole_value(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    for system in TRAILING:
        r = await client.post(
            "/v1/units", json={"name": "U", "kind": "team", "external_refs": {system: "1"}}, headers=h
        )
        assert r.status_code == 422, (system, r.text)
        r = await client.post("/v1/sync/org-chart", json={"system": system, "people": []}, headers=h)
        assert r.status_code == 422, (system, r.text)
        r = await client.put(
            f"/v1/units/by-external-ref/{quote(system, safe='')}/1", json={"name": "U", "kind": "team"}, headers=h
        )
        assert r.status_code in (404, 422), (system, r.text)
    for slug in ("acme\n", "acme-", "-acme", "Acme"):
        r = await client.post(
            "/v1/organizations", json={"name": "A", "slug": slug}, headers=bearer(None, "platform:admin")
        )
        assert r.status_code == 422, (slug, r.text)
    for email in ("a@b.test\n\nx", "a@b\x01.test"):
        r = await client.post("/v1/people", json={"given_name": "A", "family_name": "B", "email": email}, headers=h)
        assert r.status_code == 422, (email, r.text)
    assert (await client.get("/v1/units", headers=h)).json()["data"] == []


BLANK_OR_CONTROL = [
    "\u3164",  # Hangul filler: a letter that prints nothing
    "\u115f\u1160",
    "\uffa0",
    "\u2800",  # braille blank
    "\ufe0f\ufe0f",  # variation selectors
    "\u034f",
    "\u0300",  # a combining mark alone
    "a\u2028b",  # a line separator
    "a\u202eb",  # a bidirectional override
    "\u200b",
    "\u200b\u200c\u200d\ufeff",
    " \u00a0\u2003",
    "\u2028",
    "a\x07b",
    "a\nb",
    "\x1b[31mred",
    "\t",
]


async def test_names_are_visible_and_free_of_control_characters(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    unit = (await client.post("/v1/units", json={"name": "U", "kind": "team"}, headers=h)).json()
    person = {"given_name": "A", "family_name": "B", "email": "a@b.test"}
    for name in BLANK_OR_CONTROL:
        attempts = [
            ("POST", "/v1/units", {"name": name, "kind": "team"}),
            ("PATCH", f"/v1/units/{unit['id']}", {"name": name}),
            ("POST", "/v1/people", {**person, "given_name": name}),
            ("POST", "/v1/people", {**person, "title": name}),
            ("POST", "/v1/api-clients", {"name": name, "scopes": ["org:read"]}),
            ("PATCH", f"/v1/units/{unit['id']}", {"links": [{"title": name, "url": "https://x.test/"}]}),
            ("POST", "/v1/units", {"name": "x", "kind": "team", "external_refs": {"sap": name}}),
        ]
        for method, path, body in attempts:
            r = await client.request(method, path, json=body, headers=h)
            assert r.status_code == 422, (name, method, path, r.text)
        r = await client.post(
            "/v1/organizations", json={"name": name, "slug": "ok-slug"}, headers=bearer(None, "platform:admin")
        )
        assert r.status_code == 422, (name, r.text)
        r = await client.post(
            "/graphql",
            json={
                "query": 'mutation($n: String!){ createUnit(input: {name: $n, kind: "team"}) { userErrors { field code } } }',
                "variables": {"n": name},
            },
            headers=h,
        )
        assert r.json()["data"]["createUnit"]["userErrors"][0]["field"] == "/name", (name, r.text)
    for fine in ("Zoë", "会計", "R&D – Paris", "👩‍🔬 Lab", "O'Brien"):
        r = await client.post("/v1/units", json={"name": fine, "kind": "team"}, headers=h)
        assert r.status_code == 201, (fine, r.text)


async def test_webhook_urls_and_descriptions_hold_no_control_characters(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    for body in (
        {"url": "http://127.0.0.1:9/\u0001", "event_types": ["*"]},
        {"url": "http://127.0.0.1:9/a b", "event_types": ["*"]},
        {"url": "http://127.0.0.1:9/", "event_types": ["*"], "description": "a\x1bb"},
        {"url": "http://127.0.0.1:9/", "event_types": ["*"], "description": "a\u202eb"},
    ):
        r = await client.post("/v1/webhook-endpoints", json=body, headers=h)
        assert r.status_code == 422, (body, r.text)
    fine = {"url": "http://127.0.0.1:9/", "event_types": ["*"], "description": "line one\nline two"}
    assert (await client.post("/v1/webhook-endpoints", json=fine, headers=h)).status_code == 201


async def test_claims_every_engine_can_hold(client: httpx.AsyncClient) -> None:
    org, _ = await make_org(client)
    long = bearer(org, "org:write", sub="s" * 201)
    r = await client.post("/v1/units", json={"name": "U", "kind": "team"}, headers={**long, "Idempotency-Key": "k"})
    assert r.status_code == 401, r.text
    for claim in ({"person": "person_01X"}, {"client_id": "client_01X"}):
        r = await client.get("/v1/organizations", headers=bearer(None, "platform:admin", **claim))
        assert r.status_code == 401, (claim, r.text)


async def test_credentials_no_client_can_hold_are_the_same_401(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    creds = await make_api_client(client, h)
    for client_id, secret in (
        ("a\x00b", "x"),
        (creds["id"] + "\x00", creds["client_secret"]),
        (creds["id"], creds["client_secret"] + "\x00"),
        ("\x01", "x"),
        ("x" * 5000, "y"),
    ):
        r = await client.post(
            "/v1/oauth/token",
            data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        )
        assert r.status_code == 401, (client_id[:20], r.text)
        assert r.json()["error"] == "invalid_client"


async def test_an_idempotent_replay_needs_the_scope_of_the_request(client: httpx.AsyncClient) -> None:
    org, _admin = await make_org(client)
    key = {"Idempotency-Key": "create-u-1"}
    writer = bearer(org, "org:write", sub="svc")
    r = await client.post("/v1/units", json={"name": "U", "kind": "team"}, headers={**writer, **key})
    assert r.status_code == 201
    reader = bearer(org, "org:read", sub="svc")  # the same subject, another token, fewer scopes
    r = await client.post("/v1/units", json={"name": "U", "kind": "team"}, headers={**reader, **key})
    assert r.status_code == 403, r.text
    r = await client.post(
        "/v1/webhook-endpoints",
        json={"url": "https://example.com/", "event_types": ["*"]},
        headers={**reader, "Idempotency-Key": "w"},
    )
    assert r.status_code == 403
    r = await client.post("/v1/units", json={"name": "U", "kind": "team"}, headers={**writer, **key})
    assert r.status_code == 201 and r.headers["idempotent-replayed"] == "true"
