"""The conventions every collection shares, on api-clients: idempotency, ETags, merge patch, paging,
external refs, rate limits."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import text

from app.main import create_app
from app.repo.engine import make_engine
from tests.conftest import make_settings
from tests.factories import bearer, make_api_client, make_org


async def count(client: httpx.AsyncClient, h: dict[str, str], path: str = "/v1/api-clients") -> int:
    return len((await client.get(path, params={"limit": 200}, headers=h)).json()["data"])


async def event_types(client: httpx.AsyncClient, h: dict[str, str]) -> list[str]:
    return [e["type"] for e in (await client.get("/v1/events", params={"limit": 200}, headers=h)).json()["data"]]


# --- Idempotency-Key ---------------------------------------------------------------------------------


async def test_idempotency_key_replays_the_first_answer(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    body = {"name": "erp", "scopes": ["org:read"]}
    first = await client.post("/v1/api-clients", json=body, headers={**h, "Idempotency-Key": "k-1"})
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    # the same JSON, formatted differently, is the same body
    again = await client.post(
        "/v1/api-clients",
        content=b'{"scopes":["org:read"],  "name":"erp"}',
        headers={**h, "Idempotency-Key": "k-1", "content-type": "application/json"},
    )
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["location"] == first.headers["location"]
    assert "client_secret" not in again.json(), "a secret is shown once, and never stored in clear"
    assert await count(client, h) == 1
    assert (await event_types(client, h)).count("api_client.created") == 1


async def test_idempotency_key_with_another_body_is_422_and_creates_nothing(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    await client.post("/v1/api-clients", json={"name": "erp"}, headers={**h, "Idempotency-Key": "k-2"})
    r = await client.post("/v1/api-clients", json={"name": "crm"}, headers={**h, "Idempotency-Key": "k-2"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["code"] == "idempotency_key_reused"
    assert await count(client, h) == 1


async def test_idempotency_keys_belong_to_one_client(client: httpx.AsyncClient) -> None:
    org, _ = await make_org(client)
    one, two = bearer(org, "admin", sub="one"), bearer(org, "admin", sub="two")
    a = await client.post("/v1/api-clients", json={"name": "x"}, headers={**one, "Idempotency-Key": "same"})
    b = await client.post("/v1/api-clients", json={"name": "x"}, headers={**two, "Idempotency-Key": "same"})
    assert a.status_code == b.status_code == 201 and a.json()["id"] != b.json()["id"]
    assert "idempotent-replayed" not in b.headers


async def test_ten_concurrent_requests_with_one_key_create_one_object(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    headers = {**h, "Idempotency-Key": "race-1"}
    answers = await asyncio.gather(
        *[client.post("/v1/api-clients", json={"name": "raced", "scopes": []}, headers=headers) for _ in range(10)]
    )
    assert {r.status_code for r in answers} == {201}, [r.text for r in answers]
    assert len({r.json()["id"] for r in answers}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in answers) == 9
    assert await count(client, h) == 1
    assert (await event_types(client, h)).count("api_client.created") == 1


async def test_an_idempotency_key_lasts_24_hours(client: httpx.AsyncClient, database_url: str) -> None:
    _org, h = await make_org(client)
    first = await client.post("/v1/api-clients", json={"name": "x"}, headers={**h, "Idempotency-Key": "old"})
    engine = make_engine(database_url, null_pool=True)
    async with engine.begin() as conn:  # the key's 24 hours have passed
        await conn.execute(
            text("UPDATE idempotency_keys SET expires_at = :t"),
            {"t": (datetime.now(UTC) - timedelta(seconds=1)).replace(tzinfo=None)},
        )
    await engine.dispose()
    second = await client.post("/v1/api-clients", json={"name": "x"}, headers={**h, "Idempotency-Key": "old"})
    assert second.status_code == 201 and second.json()["id"] != first.json()["id"]
    assert "idempotent-replayed" not in second.headers


# --- ETag, If-Match, merge patch -------------------------------------------------------------------


async def test_stale_if_match_is_412_and_changes_nothing(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    created = await make_api_client(client, h, name="v1")
    url = f"/v1/api-clients/{created['id']}"
    etag_v1 = (await client.get(url, headers=h)).headers["etag"]
    ok = await client.patch(url, json={"name": "v2"}, headers={**h, "If-Match": etag_v1})
    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.headers["etag"] != etag_v1
    stale = await client.patch(url, json={"name": "v3"}, headers={**h, "If-Match": etag_v1})
    assert stale.status_code == 412 and stale.headers["content-type"].startswith("application/problem+json")
    assert (await client.delete(url, headers={**h, "If-Match": etag_v1})).status_code == 412
    now = await client.get(url, headers=h)
    assert now.json()["name"] == "v2" and now.json()["version"] == 2
    assert (await event_types(client, h)).count("api_client.updated") == 1
    assert (await client.delete(url, headers={**h, "If-Match": now.headers["etag"]})).status_code == 204
    assert (await client.get(url, headers=h)).status_code == 404


async def test_merge_patch_semantics_and_previous_attributes(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    created = await make_api_client(client, h, name="erp", scopes=["org:read"], external_refs={"sap": "1", "crm": "2"})
    url = f"/v1/api-clients/{created['id']}"
    r = await client.patch(
        url,
        content=b'{"external_refs": {"crm": null, "hr": "3"}}',
        headers={**h, "content-type": "application/merge-patch+json"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["external_refs"] == {"sap": "1", "hr": "3"} and r.json()["name"] == "erp"
    assert (await client.patch(url, json={"name": None}, headers=h)).status_code == 422
    assert (await client.patch(url, json={"id": "client_x"}, headers=h)).status_code == 422
    same = await client.patch(url, json={"name": "erp"}, headers=h)
    assert same.json()["version"] == 2, "a patch that changes nothing is not a change"
    events = (await client.get("/v1/events", params={"type": "api_client.updated"}, headers=h)).json()["data"]
    assert len(events) == 1
    assert events[0]["data"]["previous_attributes"] == {"external_refs": {"sap": "1", "crm": "2"}}
    assert events[0]["data"]["object"]["external_refs"] == {"sap": "1", "hr": "3"}


async def test_a_merge_patch_merges_external_refs_on_every_collection(client: httpx.AsyncClient) -> None:
    """One system's ref added, another's removed by null, the rest kept, on each collection that carries
    external refs (a survey's and a RACI entry's once replaced the whole object). A PATCH that sends the
    refs as they are changes nothing."""
    from tests.api.test_tenancy import seed_org_a

    ids, h, _ = await seed_org_a(client)
    paths = {"unit": "units", "person": "people", "membership": "memberships", "objective": "objectives",
             "key_result": "key-results", "handoff": "handoffs", "handoff_policy": "handoff-policies",
             "role": "roles", "role_assignment": "role-assignments", "raci_entry": "raci",
             "feedback_request": "feedback-requests", "survey": "surveys",
             "api_client": "api-clients"}  # fmt: skip
    merge = {**h, "content-type": "application/merge-patch+json"}
    for kind, path in paths.items():
        url = f"/v1/{path}/{ids[kind]}"
        before = (await client.get(url, headers=h)).json()
        if "external_refs" not in before:
            continue
        r = await client.patch(url, content=b'{"external_refs": {"crm": "C-1", "hr": "H-1"}}', headers=merge)
        assert r.status_code == 200, (kind, r.text)
        assert r.json()["external_refs"] == {**before["external_refs"], "crm": "C-1", "hr": "H-1"}, kind
        r = await client.patch(url, content=b'{"external_refs": {"crm": null}}', headers=merge)
        assert r.json()["external_refs"] == {**before["external_refs"], "hr": "H-1"}, (kind, r.text)
        version = r.json()["version"]
        same = await client.patch(url, content=b'{"external_refs": {"hr": "H-1"}}', headers=merge)
        assert same.status_code == 200 and same.json()["version"] == version, (kind, same.text)


# --- external refs -----------------------------------------------------------------------------------


async def test_external_refs_are_unique_filterable_and_upsertable(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    a = await make_api_client(client, h, name="a", external_refs={"sap": "E1042"})
    dup = await client.post("/v1/api-clients", json={"name": "b", "external_refs": {"sap": "E1042"}}, headers=h)
    assert dup.status_code == 409
    await make_api_client(client, h, name="c", external_refs={"salesforce": "E1042"})  # another system: fine
    found = (await client.get("/v1/api-clients", params={"external_ref": "sap:E1042"}, headers=h)).json()["data"]
    assert [x["id"] for x in found] == [a["id"]]
    assert (await client.get("/v1/api-clients", params={"external_ref": "nocolon"}, headers=h)).status_code == 422

    up = await client.put(
        "/v1/api-clients/by-external-ref/sap/E1042", json={"name": "renamed", "scopes": []}, headers=h
    )
    assert up.status_code == 200 and up.json()["id"] == a["id"] and up.json()["name"] == "renamed"
    new = await client.put("/v1/api-clients/by-external-ref/sap/E7", json={"name": "new", "scopes": []}, headers=h)
    assert new.status_code == 201 and new.json()["external_refs"] == {"sap": "E7"} and new.json()["client_secret"]
    again = await client.put("/v1/api-clients/by-external-ref/sap/E7", json={"name": "new", "scopes": []}, headers=h)
    assert again.status_code == 200 and again.json()["id"] == new.json()["id"] and again.json()["version"] == 1
    bad = await client.put("/v1/api-clients/by-external-ref/SAP!/x", json={"name": "n", "scopes": []}, headers=h)
    assert bad.status_code == 422


# --- lists ----------------------------------------------------------------------------------------------


async def test_paging_500_objects_while_others_are_inserted(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    original = set()
    for i in range(500):
        r = await client.post("/v1/api-clients", json={"name": f"c{i}", "scopes": []}, headers=h)
        original.add(r.json()["id"])
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 37, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/api-clients", params=params, headers=h)).json()
        seen.extend(x["id"] for x in page["data"])
        pages += 1
        # others keep inserting while we page
        await asyncio.gather(
            *[client.post("/v1/api-clients", json={"name": "late", "scopes": []}, headers=h) for _ in range(3)]
        )
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert pages < 100
    assert len(seen) == len(set(seen)), "no object twice"
    assert original <= set(seen), "every old object once"
    assert seen == sorted(seen)


async def test_list_limits_cursor_and_updated_since(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    for i in range(3):
        await make_api_client(client, h, name=f"c{i}")
    assert (await client.get("/v1/api-clients", params={"limit": 201}, headers=h)).status_code == 422
    assert (await client.get("/v1/api-clients", params={"limit": 0}, headers=h)).status_code == 422
    assert (await client.get("/v1/api-clients", params={"cursor": "garbage!"}, headers=h)).status_code == 422
    page = (await client.get("/v1/api-clients", params={"limit": 2}, headers=h)).json()
    assert len(page["data"]) == 2 and page["next_cursor"]
    rest = (await client.get("/v1/api-clients", params={"limit": 2, "cursor": page["next_cursor"]}, headers=h)).json()
    assert len(rest["data"]) == 1 and rest["next_cursor"] is None
    default = (await client.get("/v1/api-clients", headers=h)).json()
    assert len(default["data"]) == 3

    mark = datetime.now(UTC).isoformat()
    changed = page["data"][0]["id"]
    await client.patch(f"/v1/api-clients/{changed}", json={"name": "touched"}, headers=h)
    since = (await client.get("/v1/api-clients", params={"updated_since": mark}, headers=h)).json()["data"]
    assert [x["id"] for x in since] == [changed]
    naive = await client.get("/v1/api-clients", params={"updated_since": "2026-01-01T00:00:00"}, headers=h)
    assert naive.status_code == 422, "an instant without an offset is ambiguous"


# --- rate limits -------------------------------------------------------------------------------------


async def test_rate_limit_per_client(database_url: str) -> None:
    app = create_app(make_settings(database_url, rate_limit="3/minute"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        org, _ = await make_org(c)
        h = bearer(org, "events:read", sub="busy")
        answers = [await c.get("/v1/events", headers=h) for _ in range(4)]
        assert [r.status_code for r in answers] == [200, 200, 200, 429]
        assert answers[0].headers["ratelimit-limit"] == "3"
        assert answers[0].headers["ratelimit-remaining"] == "2"
        limited = answers[3]
        assert limited.headers["content-type"].startswith("application/problem+json")
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.headers["ratelimit-remaining"] == "0"
        calm = await c.get("/v1/events", headers=bearer(org, "events:read", sub="calm"))
        assert calm.status_code == 200, "another client has its own budget"
    await app.state.db.dispose()
