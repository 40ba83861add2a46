"""Class 5 of the hardening review: the `person` claim is checked. A token naming a person of another
organization, or no person at all, is refused (401) on both transports and is never recorded as an actor."""

from __future__ import annotations

import httpx

from tests.factories import bearer, make_org


async def _person(client: httpx.AsyncClient, h: dict[str, str], email: str) -> str:
    r = await client.post("/v1/people", json={"given_name": "A", "family_name": "B", "email": email}, headers=h)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_person_claim_must_name_a_person_of_the_tokens_organization(client: httpx.AsyncClient) -> None:
    org_a, admin_a = await make_org(client)
    _org_b, admin_b = await make_org(client)
    mine = await _person(client, admin_a, "mine@a.test")
    theirs = await _person(client, admin_b, "theirs@b.test")
    for person in (theirs, "person_01NOBODY00000000000000000", "unit_01X", "x" * 300):
        h = bearer(org_a, "org:read org:write", person=person)
        r = await client.post("/v1/units", json={"name": "U", "kind": "team"}, headers=h)
        assert r.status_code == 401, (person, r.text)
        r = await client.post("/graphql", json={"query": "{ viewer { person } }"}, headers=h)
        assert r.status_code == 401 or r.json().get("errors"), (person, r.text)
    events = (await client.get("/v1/events", headers=admin_a)).json()["data"]
    assert all(e["actor"].get("person_id") in (None, mine) for e in events)
    h = bearer(org_a, "org:read org:write", person=mine)
    r = await client.post("/v1/units", json={"name": "U", "kind": "team"}, headers=h)
    assert r.status_code == 201, r.text
    created = list((await client.get("/v1/events?type=unit.created", headers=admin_a)).json()["data"])
    assert created[-1]["actor"]["person_id"] == mine


async def test_a_token_of_an_organization_that_does_not_exist_is_401(client: httpx.AsyncClient) -> None:
    h = bearer("org_01NOSUCHORG000000000000000", "admin")
    for method, path, body in (
        ("GET", "/v1/units", None),
        ("POST", "/v1/units", {"name": "U", "kind": "team"}),
        ("POST", "/v1/webhook-endpoints", {"url": "https://example.com/", "event_types": ["*"]}),
    ):
        r = await client.request(method, path, json=body, headers=h)
        assert r.status_code == 401, (method, path, r.text)
    r = await client.post("/graphql", json={"query": "{ units { edges { node { id } } } }"}, headers=h)
    assert r.status_code == 401 or r.json().get("errors"), r.text
