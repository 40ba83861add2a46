"""Every error path answers RFC 9457 problem+json with the right status."""

from __future__ import annotations

import json
import os
import sys

import httpx
import pytest

from tests.factories import bearer, make_org


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
    app: object, client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    async def explode() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    app.add_api_route("/explode", explode)  # type: ignore[attr-defined]
    capsys.readouterr()
    r = await client.get("/explode", headers={"X-Request-ID": "boom-1"})
    body = assert_problem(r, 500)
    assert "hunter2" not in r.text and "Traceback" not in r.text and "RuntimeError" not in r.text
    assert r.headers["x-request-id"] == "boom-1"
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    logged = [e for e in lines if e.get("logger") == "liaison.http" and e["level"] == "error"]
    assert logged, "the exception is logged, as a JSON line on stderr"
    assert logged[0]["request_id"] == "boom-1"
    assert "RuntimeError: secret internals: password=hunter2" in logged[0]["exception"]
    assert body["detail"]


async def test_a_nul_character_is_refused_on_both_engines_and_changes_nothing(client: httpx.AsyncClient) -> None:
    """PostgreSQL cannot store U+0000; SQLite can. Neither gets it: the URL is a 400, a JSON field a 422."""
    _org, h = await make_org(client)
    for path in (
        "/v1/people/%00",
        "/v1/units/%00/ancestors",
        "/v1/webhook-endpoints/%00",
        "/v1/units?external_ref=hr%00:x",
        "/v1/units/by-external-ref/hr%00/x",
    ):
        method = "PUT" if "by-external-ref" in path else "GET"
        r = await client.request(method, path, json={"name": "X", "kind": "team"}, headers=h)
        assert "NUL" in assert_problem(r, 400)["detail"], path  # type: ignore[operator]
    for body, field in (
        ({"name": "a\u0000b", "kind": "team"}, "/name"),
        ({"name": "A", "kind": "team", "external_refs": {"hr\u0000": "1"}}, "/external_refs"),
        ({"name": "A", "kind": "team", "external_refs": {"hr": "1\u0000"}}, "/external_refs"),
    ):
        r = await client.post("/v1/units", json=body, headers=h)
        assert [e["field"] for e in assert_problem(r, 422)["errors"]] == [field]  # type: ignore[attr-defined]
    r = await client.post(
        "/v1/people", json={"given_name": "A", "family_name": "B", "email": "a\u0000@example.test"}, headers=h
    )
    assert_problem(r, 422)
    assert (await client.get("/v1/units", headers=h)).json()["data"] == []
    assert (await client.get("/v1/people", headers=h)).json()["data"] == []


async def test_graphql_refuses_a_nul_character_on_both_engines(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    create = 'mutation($name: String!) { createUnit(input: {name: $name, kind: "team"}) { unit { id } } }'
    literal = 'mutation { createUnit(input: {name: "%s", kind: "team"}) { unit { id } } }'
    written = ("a\\u0000b", "a\\u{0}b", "a\\u{000000}b", "a\u0000b")  # two escapes, and the character as is
    bodies = [{"query": create, "variables": {"name": "a\u0000b"}}, *({"query": literal % w} for w in written)]
    for body in bodies:
        r = await client.post("/graphql", json=body, headers=h)
        assert r.status_code == 200
        [error] = r.json()["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT" and "NUL" in error["message"], error
    assert (await client.get("/v1/units", headers=h)).json()["data"] == []


async def test_a_token_whose_claims_hold_a_nul_is_refused(client: httpx.AsyncClient) -> None:
    org, _h = await make_org(client)
    for claims in ({"sub": "a\u0000b"}, {"org": org + "\u0000"}):
        r = await client.get("/v1/units", headers=bearer(claims.pop("org", org), "org:read", **claims))
        assert_problem(r, 401)


async def test_a_value_the_database_refuses_is_a_422_that_does_not_quote_the_sql(
    client: httpx.AsyncClient, engine_name: str
) -> None:
    """If-Match carries a version; one too large for PostgreSQL's integer is the request's fault."""
    _org, h = await make_org(client)
    u = (await client.post("/v1/units", json={"name": "A", "kind": "team"}, headers=h)).json()
    r = await client.patch(
        f"/v1/units/{u['id']}",
        json={"name": "B"},
        headers={**h, "If-Match": f'"{u["id"]}.v{2**70}"', "Content-Type": "application/merge-patch+json"},
    )
    assert r.status_code in (412, 422), r.text
    assert "UPDATE" not in r.text and "SELECT" not in r.text
    assert (await client.get(f"/v1/units/{u['id']}", headers=h)).json()["name"] == "A"


async def test_a_broken_stderr_loses_log_lines_not_requests(client: httpx.AsyncClient) -> None:
    closed = open(os.devnull, "w")  # noqa: SIM115
    closed.close()
    saved, sys.stderr = sys.stderr, closed
    try:
        assert (await client.get("/healthz")).status_code == 200
        assert_problem(await client.get("/v1/units"), 401)
    finally:
        sys.stderr = saved
