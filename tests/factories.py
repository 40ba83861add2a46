"""Small async factories. Tokens are minted with PyJWT directly, as an integrator would."""

from __future__ import annotations

import secrets
import time
from typing import Any

import httpx
import jwt

JWT_SECRET = "test-secret-" + "x" * 40


def token(org: str | None, scope: str, *, secret: str = JWT_SECRET, algorithm: str = "HS256", **claims: Any) -> str:
    now = int(time.time())
    body: dict[str, Any] = {
        "iss": "liaison",
        "aud": "liaison",
        "sub": "tester",
        "iat": now,
        "exp": now + 3600,  # an hour: module-level tokens (PLATFORM) outlive the whole suite
        "scope": scope,
    }
    if org:
        body["org"] = org
    body.update(claims)
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(body, secret, algorithm=algorithm)


def bearer(org: str | None, scope: str, **claims: Any) -> dict[str, str]:
    return {"Authorization": "Bearer " + token(org, scope, **claims)}


PLATFORM = bearer(None, "platform:admin")


async def make_org(client: httpx.AsyncClient, name: str = "Acme") -> tuple[str, dict[str, str]]:
    """A new organization and an admin token's headers for it."""
    slug = f"org-{secrets.token_hex(4)}"
    r = await client.post("/v1/organizations", json={"name": name, "slug": slug}, headers=PLATFORM)
    assert r.status_code == 201, r.text
    org = r.json()["id"]
    return org, bearer(org, "admin")


async def make_api_client(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    name: str = "erp",
    scopes: list[str] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    r = await client.post(
        "/v1/api-clients", json={"name": name, "scopes": scopes or ["org:read"], **fields}, headers=headers
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body
