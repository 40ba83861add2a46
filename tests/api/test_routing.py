"""The router's index selects exactly the route a full scan of the routes would, for every route of the
application and for paths near them; and the edge of a request behaves the same whichever route serves it."""

from __future__ import annotations

import itertools
import re
from typing import Any

import httpx
from starlette.routing import BaseRoute, Match

from app.api.routing import RouteIndex
from app.main import create_app
from tests.conftest import make_settings
from tests.factories import bearer, make_org


def _scan(routes: list[BaseRoute], scope: dict[str, Any]) -> BaseRoute | None:
    """What Starlette's router does: the first route that matches fully."""
    for route in routes:
        match, _ = route.matches(dict(scope))
        if match is Match.FULL:
            return route
    return None


def _indexed(index: RouteIndex, scope: dict[str, Any]) -> BaseRoute | str | None:
    """The route the index would hand the request to, or "fallback" when it leaves it to the full scan."""
    index._index, index._version = index._build(), len(index.router.routes)
    from app.api.routing import _path_key

    for route in index._index.get(_path_key(scope["path"]), None) or []:
        match, _ = route.matches(dict(scope))
        if match is Match.FULL:
            return route
    return "fallback"


def _paths() -> list[str]:
    app = create_app(make_settings("sqlite+aiosqlite:///:memory:"))
    templates = [getattr(r, "path", "") for r in app.router.routes]
    paths = {"/", "/v1", "/v1/", "/nope", "/v1/nope", "/v1/nope/x", "/graphql/", "/static/x.css", "/static"}
    for template in templates:
        concrete = re.sub(r"\{[^}]+\}", "x_1", template)
        paths |= {concrete, concrete + "/", concrete + "/extra", concrete.rstrip("/") or "/"}
    return sorted(paths)


def test_the_index_selects_what_a_full_scan_selects() -> None:
    app = create_app(make_settings("sqlite+aiosqlite:///:memory:"))
    index = RouteIndex(app.router)
    checked = 0
    for method, path in itertools.product(["GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS"], _paths()):
        scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": [], "query_string": b""}
        chosen = _indexed(index, scope)
        if chosen == "fallback":
            continue  # the full scan itself decides (404, 405, redirect)
        assert chosen is _scan(list(app.router.routes), scope), (method, path)
        checked += 1
    assert checked > 30  # the index did serve the application's routes


def _framed(r: httpx.Response) -> httpx.Response:
    """One Content-Length, the body's (two would make a strict client or proxy refuse the answer)."""
    assert r.headers.get_list("content-length") == [str(len(r.content))], r.headers
    return r


async def test_every_route_family_answers_through_the_index(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    r = _framed(await client.post("/v1/units", json={"name": "Sales", "kind": "department"}, headers=h))
    assert r.status_code == 201
    unit = r.json()["id"]
    assert _framed(await client.get(f"/v1/units/{unit}", headers=h)).json()["name"] == "Sales"
    assert _framed(await client.get("/healthz")).status_code == 200
    query = {"query": "{ viewer { scopes } }"}
    assert _framed(await client.post("/graphql", json=query, headers=h)).status_code == 200
    assert _framed(await client.post("/graphql", json={"query": "{ nope }"}, headers=h)).json()["errors"]
    assert _framed(await client.post("/graphql", content=b"{", headers=h)).status_code == 400
    assert _framed(await client.get("/graphql", params=query, headers=h)).status_code == 200
    assert (await client.get("/openapi.json")).status_code == 200
    # Every route answered above is counted under its own template, none as unmatched but the 404.
    metrics = (await client.get("/metrics")).text
    for template in ('"/v1/units"', '"/v1/units/{unit_id}"', '"/graphql"', '"/openapi.json"', '"/healthz"'):
        assert f"route={template}" in metrics, template
    # What the index leaves to the router's own scan: an unknown path, a method the path does not take.
    missing = _framed(await client.get("/v1/nothing-here", headers=h))
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
    wrong = _framed(await client.put(f"/v1/units/{unit}", json={}, headers=h))
    assert wrong.status_code == 405 and wrong.headers["allow"] == "DELETE, GET, OPTIONS, PATCH"
    assert (await client.delete("/v1/units", headers=h)).headers["allow"] == "GET, OPTIONS, POST"


async def test_the_caller_is_authenticated_before_the_body_is_read(client: httpx.AsyncClient) -> None:
    """A request without a valid token learns nothing about its body's validity: 401, whatever the body."""
    org, _h = await make_org(client)
    expired = bearer(org, "admin", exp=1)
    for body in (b"{not json", b'{"name": 5}', b"[]", b"x" * 2000):
        for headers in ({}, expired, {"Authorization": "Bearer nonsense"}):
            r = await client.post("/v1/units", content=body, headers={**headers, "Content-Type": "application/json"})
            assert r.status_code == 401, (body, headers, r.status_code, r.text)
    assert (await client.get("/v1/units", headers=bearer(org, "org:read"))).json()["data"] == []
