"""Every error path answers RFC 9457 problem+json with the right status."""

from __future__ import annotations

import logging

import httpx
import pytest

from tests.factories import make_org


def assert_problem(r: httpx.Response, status: int) -> dict[str, object]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= set(body)
    return body


async def test_unknown_route_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/v1/nothing-here"), 404)


async def test_wrong_method_is_405(client: httpx.AsyncClient) -> None:
    r = await client.delete("/healthz")
    assert_problem(r, 405)
    assert "GET" in r.headers["allow"]


async def test_malformed_json_is_400_and_creates_nothing(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    r = await client.post(
        "/v1/api-clients", content=b'{"name": "x",', headers={**h, "content-type": "application/json"}
    )
    assert_problem(r, 400)
    assert (await client.get("/v1/api-clients", headers=h)).json()["data"] == []


async def test_validation_is_422_with_errors_that_point_at_fields(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    r = await client.post("/v1/api-clients", json={"name": 12, "scopes": ["org:read", "nope"]}, headers=h)
    body = assert_problem(r, 422)
    fields = {e["field"] for e in body["errors"]}  # type: ignore[union-attr]
    assert {"/name", "/scopes/1"} <= fields
    r = await client.get("/v1/api-clients", params={"limit": 1000}, headers=h)
    body = assert_problem(r, 422)
    assert body["errors"][0]["field"] == "/limit" and body["errors"][0]["in"] == "query"  # type: ignore[index]


async def test_body_over_one_mebibyte_is_413(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    big = b'{"name": "' + b"x" * (1024 * 1024) + b'"}'
    assert_problem(
        await client.post("/v1/api-clients", content=big, headers={**h, "content-type": "application/json"}), 413
    )

    async def chunks():  # no Content-Length: the limit holds on the stream too
        for _ in range(20):
            yield b"x" * 65536

    r = await client.post("/v1/api-clients", content=chunks(), headers={**h, "content-type": "application/json"})
    assert_problem(r, 413)
    assert (await client.get("/v1/api-clients", headers=h)).json()["data"] == []


async def test_unexpected_exception_is_500_without_stack_trace(
    app: object, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    async def explode() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    app.add_api_route("/explode", explode)  # type: ignore[attr-defined]
    with caplog.at_level(logging.ERROR, logger="liaison.http"):
        r = await client.get("/explode", headers={"X-Request-ID": "boom-1"})
    body = assert_problem(r, 500)
    assert "hunter2" not in r.text and "Traceback" not in r.text and "RuntimeError" not in r.text
    assert r.headers["x-request-id"] == "boom-1"
    logged = [rec for rec in caplog.records if rec.name == "liaison.http" and rec.levelno == logging.ERROR]
    assert logged, "the exception is logged"
    assert logged[0].msg["request_id"] == "boom-1"  # type: ignore[index]
    assert "hunter2" in str(logged[0].exc_info)
    assert body["detail"]
