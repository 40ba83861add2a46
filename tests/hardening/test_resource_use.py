"""Class 7 of the hardening review: what one request may cost. Work that is many requests in one weighs
what it does in the rate limit (app/domain/usage.py); a document holds at most 10 mutations; the token
endpoint is throttled before any credential is looked up; the org-chart export and the reports are bounded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from app.main import create_app
from tests.conftest import make_settings
from tests.factories import make_api_client, make_org


@pytest.fixture
async def limited(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(database_url, rate_limit="100/minute", org_chart_max_units=5))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            yield c
    finally:
        await app.state.db.dispose()


def _units(n: int, prefix: str = "U") -> list[dict[str, Any]]:
    return [{"external_id": f"{prefix}{i}", "name": f"{prefix}{i}", "kind": "team"} for i in range(n)]


def remaining(r: httpx.Response) -> int:
    return int(r.headers["ratelimit-remaining"])


SYNC = """mutation($units: [SyncUnitInput!]) {
  %s
}"""


async def test_aliased_mutations_weigh_what_they_do(limited: httpx.AsyncClient) -> None:
    _org, h = await make_org(limited)
    units = [{"externalId": u["external_id"], "name": u["name"], "kind": u["kind"]} for u in _units(2000)]
    five = SYNC % "\n".join(
        f'a{i}: syncOrgChart(system: "hr", units: $units) {{ userErrors {{ code }} }}' for i in range(5)
    )
    r = await limited.post("/graphql", json={"query": five, "variables": {"units": units}}, headers=h, timeout=60)
    assert r.status_code == 429, r.text[:300]
    assert r.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert int(r.headers["retry-after"]) >= 1
    assert (await limited.get("/v1/units", headers=h)).json()["data"] == [], "nothing was written"


async def test_a_document_holds_at_most_ten_mutations(limited: httpx.AsyncClient) -> None:
    _org, h = await make_org(limited)
    fields = [f'm{i}: createUnit(input: {{name: "U{i}", kind: "team"}}) {{ unit {{ id }} }}' for i in range(11)]
    for query in (
        "mutation {" + " ".join(fields) + "}",
        "mutation { ...F } fragment F on Mutation {" + " ".join(fields) + "}",
        "mutation { ... on Mutation {" + " ".join(fields) + "} }",
    ):
        r = await limited.post("/graphql", json={"query": query}, headers=h)
        assert r.json()["errors"][0]["extensions"]["code"] == "MUTATION_LIMIT", r.text[:300]
    assert (await limited.get("/v1/units", headers=h)).json()["data"] == []
    before = remaining(await limited.get("/v1/units", headers=h))
    r = await limited.post("/graphql", json={"query": "mutation {" + " ".join(fields[:4]) + "}"}, headers=h)
    assert "errors" not in r.json(), r.text
    assert before - remaining(r) == 1 + 3, "one hit for the request and one per mutation after the first"


async def test_a_sync_weighs_one_hit_per_hundred_rows(limited: httpx.AsyncClient) -> None:
    _org, h = await make_org(limited)
    before = remaining(await limited.get("/v1/units", headers=h))
    r = await limited.post("/v1/sync/org-chart", json={"system": "hr", "units": _units(1000)}, headers=h, timeout=60)
    assert r.status_code == 200, r.text[:300]
    assert before - remaining(r) == 1 + 10, (before, remaining(r))  # its own hit, one per 100 rows
    big = {"system": "hr", "units": _units(40_000, "B")}
    r = await limited.post("/v1/sync/org-chart", json=big, headers=h, timeout=60)
    assert r.status_code == 429 and r.headers["content-type"].startswith("application/problem+json"), r.text[:300]
    assert len((await limited.get("/v1/units", params={"limit": 200}, headers=h)).json()["data"]) == 200


async def test_the_token_endpoint_is_throttled_before_any_lookup(limited: httpx.AsyncClient) -> None:
    _org, h = await make_org(limited)
    creds = await make_api_client(limited, h)
    statuses = []
    for _ in range(25):
        r = await limited.post(
            "/v1/oauth/token",
            data={"grant_type": "client_credentials", "client_id": creds["id"], "client_secret": "wrong"},
        )
        statuses.append(r.status_code)
    assert statuses[:20] == [401] * 20 and set(statuses[20:]) == {429}, statuses
    assert int(r.headers["retry-after"]) >= 1
    good = {"grant_type": "client_credentials", "client_id": creds["id"], "client_secret": creds["client_secret"]}
    assert (await limited.post("/v1/oauth/token", data=good)).status_code == 429  # the right secret waits too
    many = [
        (await limited.post("/v1/oauth/token", data={**good, "client_id": f"client_{i}"})).status_code
        for i in range(120)
    ]
    assert 429 in many, "one address guessing across client ids is throttled too"


async def test_the_org_chart_export_is_bounded(limited: httpx.AsyncClient) -> None:
    _org, h = await make_org(limited)
    r = await limited.post("/v1/sync/org-chart", json={"system": "hr", "units": _units(3)}, headers=h)
    root = (await limited.get("/v1/units", headers=h)).json()["data"][0]["id"]
    assert (await limited.get("/v1/org-chart", headers=h)).status_code == 200
    for i in range(4):
        await limited.post("/v1/units", json={"name": f"child {i}", "kind": "team", "parent_id": root}, headers=h)
    r = await limited.get("/v1/org-chart", headers=h)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["code"] == "too_large"
    assert (await limited.get("/v1/org-chart", params={"root_id": root}, headers=h)).status_code == 200


async def test_reports_come_a_page_at_a_time(limited: httpx.AsyncClient) -> None:
    _org, h = await make_org(limited)
    boss = (
        await limited.post("/v1/people", json={"given_name": "B", "family_name": "B", "email": "b@x.test"}, headers=h)
    ).json()
    for i in range(5):
        body = {"given_name": "R", "family_name": str(i), "email": f"r{i}@x.test", "manager_id": boss["id"]}
        assert (await limited.post("/v1/people", json=body, headers=h)).status_code == 201
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"recursive": "true", "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await limited.get(f"/v1/people/{boss['id']}/reports", params=params, headers=h)).json()
        assert len(page["data"]) <= 2
        seen += [p["id"] for p in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 5


async def test_descendants_are_bounded_like_the_org_chart(limited: httpx.AsyncClient) -> None:
    _org, h = await make_org(limited)
    root = (await limited.post("/v1/units", json={"name": "Root", "kind": "company"}, headers=h)).json()["id"]
    for i in range(6):
        await limited.post("/v1/units", json={"name": f"child {i}", "kind": "team", "parent_id": root}, headers=h)
    r = await limited.get(f"/v1/units/{root}/descendants", headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "too_large", r.text
    assert (await limited.get(f"/v1/units/{root}/descendants", params={"max_depth": 1}, headers=h)).status_code == 422


async def test_graphql_plain_lists_count_what_they_hold_against_the_maximum(database_url: str) -> None:
    """Found by review: the cost counts a plain list (`reports`, `children`) by its typical size, and a
    manager of 10,500 reports answered them all at cost 22. What a query resolves now counts too."""
    app = create_app(make_settings(database_url, graphql_max_cost=60))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            _org, h = await make_org(c)
            boss = (
                await c.post("/v1/people", json={"given_name": "B", "family_name": "B", "email": "b@x.test"}, headers=h)
            ).json()["id"]
            query = "query($id: ID!) { person(id: $id) { reports { id } } }"
            small = await c.post("/graphql", json={"query": query, "variables": {"id": boss}}, headers=h)
            assert "errors" not in small.json(), small.text
            people = [
                {
                    "external_id": f"P{i}",
                    "given_name": "R",
                    "family_name": str(i),
                    "email": f"r{i}@x.test",
                    "manager_external_id": "BOSS",
                }
                for i in range(80)
            ]
            people.append({"external_id": "BOSS", "given_name": "B2", "family_name": "B", "email": "b2@x.test"})
            assert (
                await c.post("/v1/sync/org-chart", json={"system": "hr", "people": people}, headers=h)
            ).status_code == 200
            boss2 = (await c.get("/v1/people", params={"external_ref": "hr:BOSS"}, headers=h)).json()["data"][0]["id"]
            r = await c.post("/graphql", json={"query": query, "variables": {"id": boss2}}, headers=h)
            body = r.json()
            assert body["extensions"]["cost"]["requestedQueryCost"] <= 60, body["extensions"]
            assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY", r.text[:300]
    finally:
        await app.state.db.dispose()
