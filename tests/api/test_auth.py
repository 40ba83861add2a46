"""Tokens (RFC 8725): every bad token is a 401 with WWW-Authenticate; a missing scope is a 403."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from app.main import create_app
from tests.conftest import make_settings
from tests.factories import JWT_SECRET, PLATFORM, bearer, make_org, token


def assert_401(r: httpx.Response) -> None:
    assert r.status_code == 401, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["www-authenticate"].startswith("Bearer")


def claims(org: str, **extra: Any) -> dict[str, Any]:
    now = int(time.time())
    body = {
        "iss": "liaison",
        "aud": "liaison",
        "sub": "idp-user",
        "iat": now,
        "exp": now + 600,
        "scope": "admin",
        "org": org,
    }
    body.update(extra)
    return {k: v for k, v in body.items() if v is not None}


async def test_bad_tokens_are_401(client: httpx.AsyncClient) -> None:
    org, h = await make_org(client)
    assert (await client.get("/v1/api-clients", headers=h)).status_code == 200
    r = await client.get("/v1/api-clients")
    assert_401(r)
    assert "error=" not in r.headers["www-authenticate"]  # RFC 6750: no error code without credentials
    bad = {
        "expired": token(org, "admin", exp=int(time.time()) - 3600, iat=int(time.time()) - 7200),
        "other audience": token(org, "admin", aud="someone-else"),
        "other issuer": token(org, "admin", iss="https://evil.example"),
        "other secret": token(org, "admin", secret="not-the-secret-" + "y" * 40),
        "alg none": jwt.encode(claims(org), None, algorithm="none"),
        "no exp": token(org, "admin", exp=None),
        "no sub": token(org, "admin", sub=None),
        "no aud": token(org, "admin", aud=None),
        "no org": token(None, "admin"),
        "garbage": "not.a.jwt",
        "HS512": jwt.encode(claims(org), JWT_SECRET, algorithm="HS512"),
    }
    for name, t in bad.items():
        r = await client.get("/v1/api-clients", headers={"Authorization": f"Bearer {t}"})
        assert_401(r)
        assert 'error="invalid_token"' in r.headers["www-authenticate"], name
    assert_401(await client.get("/v1/api-clients", headers={"Authorization": "Basic dXNlcjpwYXNz"}))


async def test_missing_scope_is_403_and_platform_admin_cannot_read_organization_data(client: httpx.AsyncClient) -> None:
    org, _ = await make_org(client)
    r = await client.post("/v1/api-clients", json={"name": "x", "scopes": []}, headers=bearer(org, "org:read"))
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
    assert "admin" in r.json()["detail"]
    r = await client.get("/v1/events", headers=bearer(org, "org:read"))
    assert r.status_code == 403
    assert (await client.get("/v1/events", headers=bearer(org, "events:read"))).status_code == 200
    for path in ("/v1/events", "/v1/api-clients"):
        assert (await client.get(path, headers=PLATFORM)).status_code == 403
    # and an organization token cannot create organizations
    r = await client.post("/v1/organizations", json={"name": "x", "slug": "x-1"}, headers=bearer(org, "admin"))
    assert r.status_code == 403


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def forge_hs256(payload: dict[str, Any], key: bytes) -> str:
    """By hand, since PyJWT itself refuses to use a public key as an HMAC secret."""
    signing_input = _b64(b'{"alg":"HS256","typ":"JWT"}') + "." + _b64(json.dumps(payload).encode())
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + _b64(signature)


def pem(public_key: Any) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


async def test_rs256_from_an_identity_provider_and_no_algorithm_confusion(
    database_url: str, rsa_key: rsa.RSAPrivateKey
) -> None:
    public_pem = pem(rsa_key.public_key())
    app = create_app(make_settings(database_url, jwt_public_key=public_pem))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        org, _ = await make_org(c)
        good = jwt.encode(claims(org), rsa_key, algorithm="RS256")
        assert (await c.get("/v1/api-clients", headers={"Authorization": f"Bearer {good}"})).status_code == 200
        # The classic confusion attack: HS256 with the public key as the HMAC secret.
        forged = forge_hs256(claims(org), public_pem.encode())
        assert_401(await c.get("/v1/api-clients", headers={"Authorization": f"Bearer {forged}"}))
        # Another RSA key, and the right key with an algorithm that does not match its type.
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        assert_401(
            await c.get(
                "/v1/api-clients",
                headers={"Authorization": f"Bearer {jwt.encode(claims(org), other, algorithm='RS256')}"},
            )
        )
        ps = jwt.encode(claims(org), rsa_key, algorithm="PS256")
        assert_401(await c.get("/v1/api-clients", headers={"Authorization": f"Bearer {ps}"}))
        # and a token signed with a key of the right algorithm but expired
        old = jwt.encode(claims(org, exp=int(time.time()) - 600), rsa_key, algorithm="RS256")
        assert_401(await c.get("/v1/api-clients", headers={"Authorization": f"Bearer {old}"}))
    await app.state.db.dispose()


@pytest.fixture
def jwks_server() -> Iterator[tuple[str, ed25519.Ed25519PrivateKey]]:
    key = ed25519.Ed25519PrivateKey.generate()
    jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "k1", "alg": "EdDSA", "use": "sig"})
    body = json.dumps({"keys": [jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json", key
    server.shutdown()


async def test_eddsa_tokens_verified_through_a_jwks_url(
    database_url: str, jwks_server: tuple[str, ed25519.Ed25519PrivateKey]
) -> None:
    url, key = jwks_server
    app = create_app(make_settings(database_url, jwt_jwks_url=url))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        org, _ = await make_org(c)
        good = jwt.encode(claims(org, scope="events:read"), key, algorithm="EdDSA", headers={"kid": "k1"})
        assert (await c.get("/v1/events", headers={"Authorization": f"Bearer {good}"})).status_code == 200
        stranger = ed25519.Ed25519PrivateKey.generate()
        bad = jwt.encode(claims(org, scope="events:read"), stranger, algorithm="EdDSA", headers={"kid": "k1"})
        assert_401(await c.get("/v1/events", headers={"Authorization": f"Bearer {bad}"}))
        unknown_kid = jwt.encode(claims(org, scope="events:read"), key, algorithm="EdDSA", headers={"kid": "nope"})
        assert_401(await c.get("/v1/events", headers={"Authorization": f"Bearer {unknown_kid}"}))
    await app.state.db.dispose()


async def test_person_claim_is_carried(client: httpx.AsyncClient) -> None:
    org, admin = await make_org(client)
    person = await client.post(
        "/v1/people", json={"given_name": "A", "family_name": "B", "email": "a@b.test"}, headers=admin
    )
    h = bearer(org, "org:read", person=person.json()["id"])
    r = await client.post("/graphql", json={"query": "{ viewer { person scopes } }"}, headers=h)
    assert r.json()["data"] == {"viewer": {"person": person.json()["id"], "scopes": ["org:read"]}}
