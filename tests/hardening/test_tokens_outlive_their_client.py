"""Class 4 of the hardening review: a token must not outlive its API client. Deleting the client, or
narrowing its scopes, revokes the tokens issued before, at once on every server process (two real
`liaison serve` processes on one database here, as two replicas behind a load balancer)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.domain.api_clients.service import ApiClients
from app.domain.principal import Principal
from tests.conftest import empty_tables
from tests.factories import PLATFORM, bearer, make_api_client, make_org
from tests.processes import replicas


async def _token(client: httpx.AsyncClient, creds: dict[str, str], scope: str | None = None) -> dict[str, str]:
    form = {"grant_type": "client_credentials", "client_id": creds["id"], "client_secret": creds["client_secret"]}
    if scope:
        form["scope"] = scope
    r = await client.post("/v1/oauth/token", data=form)
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["access_token"]}


async def _refused_within(
    client: httpx.AsyncClient, base: str, path: str, headers: dict[str, str], since: float
) -> float:
    """Seconds from `since` to the first 401 on `base` (read again and again, never a fixed sleep)."""
    while True:
        asked = time.monotonic()
        r = await client.get(base + path, headers=headers)
        if r.status_code == 401:
            assert r.headers["content-type"].startswith("application/problem+json")
            return asked - since
        assert r.status_code == 200, r.text
        assert time.monotonic() - since < 30, "never refused"
        await asyncio.sleep(0.02)


async def test_a_deleted_clients_token_is_refused_on_every_process(database_url: str, tmp_path: Path) -> None:
    try:
        with replicas(database_url, tmp_path, 2) as (a, b):
            async with httpx.AsyncClient(base_url=a, timeout=30) as c:
                _org, admin = await make_org(c)
                creds = await make_api_client(c, admin, scopes=["org:read"])
                headers = await _token(c, creds)
                for base in (a, b):
                    assert (await c.get(base + "/v1/units", headers=headers)).status_code == 200
                r = await c.delete(f"/v1/api-clients/{creds['id']}", headers=admin)
                assert r.status_code == 204, r.text
                deleted = time.monotonic()
                delays = await asyncio.gather(
                    *(_refused_within(c, base, "/v1/units", headers, deleted) for base in (a, b))
                )
                assert max(delays) < 1.0, delays
                r = await c.post(base + "/graphql", json={"query": "{ viewer { scopes } }"}, headers=headers)
                assert r.status_code == 401
    finally:
        await empty_tables(database_url)


async def test_narrowing_a_clients_scopes_revokes_the_wider_tokens(database_url: str, tmp_path: Path) -> None:
    try:
        with replicas(database_url, tmp_path, 2) as (a, b):
            async with httpx.AsyncClient(base_url=a, timeout=30) as c:
                _org, admin = await make_org(c)
                creds = await make_api_client(c, admin, scopes=["org:read", "org:write", "events:read"])
                wide = await _token(c, creds)
                narrow = await _token(c, creds, scope="org:read")
                assert (await c.get(b + "/v1/events", headers=wide)).status_code == 200
                r = await c.patch(
                    f"/v1/api-clients/{creds['id']}",
                    json={"scopes": ["org:read", "org:write"]},
                    headers={**admin, "content-type": "application/merge-patch+json"},
                )
                assert r.status_code == 200, r.text
                changed = time.monotonic()
                delays = await asyncio.gather(
                    *(_refused_within(c, base, "/v1/units", wide, changed) for base in (a, b))
                )
                assert max(delays) < 1.0, delays
                for base in (a, b):  # a token within the scopes the client keeps goes on working
                    assert (await c.get(base + "/v1/units", headers=narrow)).status_code == 200
                fresh = await _token(c, creds)
                assert (await c.get(b + "/v1/units", headers=fresh)).status_code == 200
    finally:
        await empty_tables(database_url)


async def test_a_token_naming_a_client_of_another_organization_or_none(client: httpx.AsyncClient) -> None:
    org_a, admin_a = await make_org(client)
    _org_b, admin_b = await make_org(client)
    creds_b = await make_api_client(client, admin_b)
    for client_id in (creds_b["id"], "client_01NOSUCHCLIENT0000000000000"):
        h = bearer(org_a, "org:read", client_id=client_id)
        r = await client.get("/v1/units", headers=h)
        assert r.status_code == 401, (client_id, r.text)
    assert (await client.get("/v1/units", headers=admin_a)).status_code == 200
    assert (await client.get("/v1/organizations", headers=PLATFORM)).status_code == 200


async def test_a_revocation_that_commits_after_a_later_one_is_not_missed(
    app: Any, client: httpx.AsyncClient, engine_name: str
) -> None:
    """Found by review: revocations were read by sequence number, so one whose transaction committed after a
    later one had been read (a lower number) was skipped for good (PostgreSQL, concurrent deletes)."""
    if engine_name != "postgresql":
        pytest.skip("SQLite runs one writer at a time: two revocations cannot commit out of order")
    org, admin = await make_org(client)
    first = await make_api_client(client, admin, name="first")
    second = await make_api_client(client, admin, name="second")
    first_token, second_token = await _token(client, first), await _token(client, second)
    for headers in (first_token, second_token):
        assert (await client.get("/v1/units", headers=headers)).status_code == 200
    caller = Principal(subject="tester", organization_id=org, scopes=frozenset({"admin"}))
    async with app.state.db.unit_of_work(org, write=True, caller=caller) as slow:
        await ApiClients(slow, caller).delete(first["id"])  # its revocation's number comes first…
        assert (await client.delete(f"/v1/api-clients/{second['id']}", headers=admin)).status_code == 204
        await _refused_within(client, "", "/v1/units", second_token, time.monotonic())  # …this one is read first
        await slow.commit()  # …and it commits after
    committed = time.monotonic()
    delay = await _refused_within(client, "", "/v1/units", first_token, committed)
    assert delay < 1.0, delay
