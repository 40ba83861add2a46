"""The point-read lane (app/api/point_reads.py) answers GET /v1/{units,people,memberships}/{id} in front of
the framework. Whatever it answers must be what the routes answer; whatever it cannot answer, the routes do."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from app.api.deps import current_principal
from app.main import create_app
from app.settings import Settings
from tests.api.test_org_chart import person, unit
from tests.conftest import make_settings
from tests.factories import bearer, make_org

# What differs between any two answers: when, which request, how much of the window is left.
PER_REQUEST = {"date", "x-request-id", "ratelimit-remaining", "ratelimit-reset"}


@pytest.fixture
async def routes_only(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The same database, served with the lane turned off: every read goes through its route."""
    application = create_app(settings.model_copy(update={"point_read_lane": False}))
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://liaison.test") as c:
            yield c
    finally:
        await application.state.db.dispose()


async def org_chart(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, Any]]:
    """An org with every kind of value a point read returns: nulls, dates, external refs, non-ASCII text."""
    _org, h = await make_org(client)
    root = await unit(client, h, "Société Générale ✓", kind="company", external_refs={"hris": "ROOT-1"})
    ops = await unit(client, h, "Opérations", root["id"], lead_person_id=None)
    boss = await person(client, h, "Zoë", title="Directrice")
    worker = await person(
        client, h, "Łukasz", manager=boss["id"], title=None, external_refs={"hris": "E-42", "crm": "u/42"}
    )
    r = await client.post(
        "/v1/memberships",
        json={
            "person_id": worker["id"],
            "unit_id": ops["id"],
            "primary": True,
            "title": "Analyste «senior»",
            "starts_on": "2026-01-01",
            "ends_on": "2027-06-30",
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    return h, {"root": root, "ops": ops, "boss": boss, "worker": worker, "membership": r.json()}


def comparable(r: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = [(k, v) for k, v in r.headers.multi_items() if k not in PER_REQUEST]
    return r.status_code, headers, r.content


async def test_the_lane_answers_exactly_as_the_routes(
    client: httpx.AsyncClient, routes_only: httpx.AsyncClient
) -> None:
    h, made = await org_chart(client)
    _other, other_h = await make_org(client, "Other")
    reads = [
        f"/v1/units/{made['root']['id']}",
        f"/v1/units/{made['ops']['id']}",
        f"/v1/people/{made['boss']['id']}",
        f"/v1/people/{made['worker']['id']}",
        f"/v1/memberships/{made['membership']['id']}",
    ]
    for path in reads:
        lane, route = await client.get(path, headers=h), await routes_only.get(path, headers=h)
        assert lane.status_code == 200, lane.text
        assert comparable(lane) == comparable(route), path
        assert lane.headers["etag"] == f'"{lane.json()["id"]}.v{lane.json()["version"]}"'
        assert {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "ratelimit-policy"} <= set(lane.headers)
    assert (await client.get(reads[3], headers=h)).json() == made["worker"]

    # What the lane leaves to the routes answers the same through both apps.
    worker = made["worker"]["id"]
    fall_through: list[tuple[str, dict[str, str]]] = [
        (f"/v1/people/{worker}", {}),  # no token: 401
        (f"/v1/people/{worker}", {"Authorization": "Basic abc"}),  # not a bearer token: 401
        (f"/v1/people/{worker}", {"Authorization": "Bearer not-a-jwt"}),  # 401
        (f"/v1/people/{worker}", bearer(_other, "webhooks:read")),  # no org:read: 403
        (f"/v1/people/{worker}", bearer(None, "platform:admin")),  # no organization: 403
        (f"/v1/people/{worker}", other_h),  # another organization's person: 404
        ("/v1/people/person_00000000000000000000000000", h),  # nobody: 404
        ("/v1/people/%00", h),  # a NUL byte, which PostgreSQL refuses in text
        ("/v1/people/x%2Fy", h),
        (f"/v1/people/{worker}?as_of=2020-01-01T00:00:00Z", h),  # before it existed: 404
        (f"/v1/people/{worker}?as_of=not-an-instant", h),  # 422
        (f"/v1/memberships/{made['membership']['id']}?as_of=2099-01-01T00:00:00Z", h),
        (f"/v1/units/{made['ops']['id']}/ancestors", h),
        (f"/v1/people/{worker}/", h),
        ("/v1/people/", h),
    ]
    for path, headers in fall_through:
        lane, route = await client.get(path, headers=headers), await routes_only.get(path, headers=headers)
        assert lane.status_code < 500, (path, lane.text)
        assert comparable(lane) == comparable(route), path


async def test_plain_reads_never_reach_the_framework_and_the_rest_always_does(
    app: Any, client: httpx.AsyncClient
) -> None:
    """With the routes' caller dependency broken, what the lane answers still works, and what it must
    leave to the routes fails: proof of which path answered."""
    h, made = await org_chart(client)
    worker = f"/v1/people/{made['worker']['id']}"

    def broken() -> None:
        raise RuntimeError("the route was reached")

    app.dependency_overrides[current_principal] = broken
    try:
        for path in (worker, f"/v1/units/{made['ops']['id']}", f"/v1/memberships/{made['membership']['id']}"):
            assert (await client.get(path, headers=h)).status_code == 200, path
        assert (await client.get(worker, headers={**h, "Content-Length": "0"})).status_code == 200
        reached = [
            client.get(worker + "?as_of=2099-01-01T00:00:00Z", headers=h),
            client.request("GET", worker, headers=h, content=b"{}"),  # a body: the body limit's to judge
            client.get("/v1/people/person_00000000000000000000000000", headers=h),  # not found
        ]
        for request in reached:
            assert (await request).status_code == 500
    finally:
        app.dependency_overrides.clear()


async def test_a_read_that_falls_through_is_counted_once(database_url: str) -> None:
    application = create_app(make_settings(database_url, rate_limit="5/minute"))
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://liaison.test") as client:
            org, admin = await make_org(client)
            p = await person(client, admin, "Ada")  # the admin token's own window
            reader = bearer(org, "org:read", sub="reader")
            answers = [
                await client.get(f"/v1/people/{p['id']}", headers=reader),  # the lane
                await client.get("/v1/people/person_00000000000000000000000000", headers=reader),  # falls through
                await client.get(f"/v1/people/{p['id']}?as_of=2099-01-01T00:00:00Z", headers=reader),  # the route
                await client.get("/v1/people/person_00000000000000000000000001", headers=reader),
                await client.get(f"/v1/people/{p['id']}", headers=reader),
            ]
            assert [r.status_code for r in answers] == [200, 404, 200, 404, 200]
            assert [r.headers["ratelimit-remaining"] for r in answers] == ["4", "3", "2", "1", "0"]
            refused = await client.get(f"/v1/people/{p['id']}", headers=reader)
            assert refused.status_code == 429, refused.text
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert int(refused.headers["retry-after"]) >= 1
    finally:
        await application.state.db.dispose()
        from tests.conftest import empty_tables

        await empty_tables(database_url)


async def test_the_lane_is_observed_like_any_route(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    h, made = await org_chart(client)
    path = f"/v1/people/{made['worker']['id']}"
    capsys.readouterr()
    sent = await client.get(path, headers={**h, "X-Request-ID": "integrator-7"})
    made_up = await client.get(path, headers={**h, "X-Request-ID": "x" * 500})  # too long: replaced
    assert sent.headers["x-request-id"] == "integrator-7"
    assert re.fullmatch(r"[0-9a-f]{32}", made_up.headers["x-request-id"])
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    access = [e for e in lines if e.get("event") == "request" and e.get("path") == path]
    assert [(e["route"], e["status"], e["request_id"]) for e in access] == [
        ("/v1/people/{person_id}", 200, "integrator-7"),
        ("/v1/people/{person_id}", 200, made_up.headers["x-request-id"]),
    ]
    metrics = (await client.get("/metrics")).text
    count = re.search(
        r'liaison_http_requests_total\{method="GET",route="/v1/people/\{person_id\}",status="200"\} (\S+)', metrics
    )
    assert count is not None and float(count.group(1)) >= 2
