"""API clients' credentials give tokens that work (OAuth 2.0 client credentials, RFC 6749 §4.4)."""

from __future__ import annotations

import base64

import httpx
import jwt

from tests.factories import make_api_client, make_org


async def test_client_credentials_give_a_working_token(client: httpx.AsyncClient) -> None:
    org, h = await make_org(client)
    created = await make_api_client(client, h, scopes=["events:read", "org:read"])
    assert created["client_secret"].startswith("lsk_")
    assert "client_secret" not in (await client.get(f"/v1/api-clients/{created['id']}", headers=h)).json()
    r = await client.post(
        "/v1/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": created["client_id"],
            "client_secret": created["client_secret"],
        },
    )
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["scope"] == "events:read org:read"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["org"] == org and claims["sub"] == created["id"]
    auth = {"Authorization": f"Bearer {body['access_token']}"}
    assert (await client.get("/v1/events", headers=auth)).status_code == 200
    assert (await client.get("/v1/api-clients", headers=auth)).status_code == 403  # not an admin client


async def test_basic_auth_and_requested_scopes(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    created = await make_api_client(client, h, scopes=["events:read", "org:read"])
    basic = base64.b64encode(f"{created['client_id']}:{created['client_secret']}".encode()).decode()
    r = await client.post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials", "scope": "events:read"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert r.status_code == 200 and r.json()["scope"] == "events:read"
    r = await client.post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials", "scope": "admin"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"


async def test_bad_credentials_are_refused(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    created = await make_api_client(client, h)
    for data in (
        {"grant_type": "client_credentials", "client_id": created["client_id"], "client_secret": "lsk_wrong"},
        {"grant_type": "client_credentials", "client_id": "client_01NOPE", "client_secret": created["client_secret"]},
        {"grant_type": "client_credentials"},
    ):
        r = await client.post("/v1/oauth/token", data=data)
        assert r.status_code == 401 and r.json()["error"] == "invalid_client"
        assert r.headers["content-type"].startswith("application/problem+json")
    r = await client.post("/v1/oauth/token", data={"grant_type": "password", "client_id": "x", "client_secret": "y"})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"


async def test_a_deleted_client_gets_no_more_tokens(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    created = await make_api_client(client, h)
    assert (await client.delete(f"/v1/api-clients/{created['id']}", headers=h)).status_code == 204
    r = await client.post(
        "/v1/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": created["id"],
            "client_secret": created["client_secret"],
        },
    )
    assert r.status_code == 401
