"""The org chart's contract: cycles (also racing), deletion rules, uniqueness, upserts, reads, as_of."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from tests.factories import make_org


async def unit(
    client: httpx.AsyncClient,
    h: dict[str, str],
    name: str,
    parent: str | None = None,
    kind: str = "department",
    **extra: Any,
) -> dict[str, Any]:
    r = await client.post("/v1/units", json={"name": name, "kind": kind, "parent_id": parent, **extra}, headers=h)
    assert r.status_code == 201, r.text
    return r.json()


async def person(
    client: httpx.AsyncClient, h: dict[str, str], name: str, manager: str | None = None, **extra: Any
) -> dict[str, Any]:
    body = {"given_name": name, "family_name": "Test", "email": f"{name.lower()}@example.test", "manager_id": manager}
    r = await client.post("/v1/people", json={**body, **extra}, headers=h)
    assert r.status_code == 201, r.text
    return r.json()


async def ids(client: httpx.AsyncClient, path: str, h: dict[str, str], **params: Any) -> list[str]:
    r = await client.get(path, params=params, headers=h)
    assert r.status_code == 200, r.text
    return [x["id"] for x in r.json()["data"]]


def instant() -> str:
    time.sleep(0.005)  # a real pause, so that the instant falls strictly between two changes
    at = datetime.now(UTC).isoformat()
    time.sleep(0.005)
    return at


async def test_unit_cycles_are_409(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    a = await unit(client, h, "A", kind="company")
    b = await unit(client, h, "B", a["id"])
    c = await unit(client, h, "C", b["id"])
    for target, new_parent in ((a, c["id"]), (a, a["id"]), (b, c["id"])):
        r = await client.patch(f"/v1/units/{target['id']}", json={"parent_id": new_parent}, headers=h)
        assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json"), r.text
    assert await ids(client, f"/v1/units/{c['id']}/ancestors", h) == [b["id"], a["id"]]
    assert await ids(client, f"/v1/units/{a['id']}/descendants", h) == [b["id"], c["id"]]
    assert await ids(client, f"/v1/units/{a['id']}/descendants", h, max_depth=1) == [b["id"]]
    ok = await client.patch(f"/v1/units/{c['id']}", json={"parent_id": a["id"]}, headers=h)
    assert ok.status_code == 200 and ok.json()["parent_id"] == a["id"]
    moved = (await client.get("/v1/events", params={"type": "unit.moved"}, headers=h)).json()["data"]
    assert len(moved) == 1 and moved[0]["data"]["previous_attributes"] == {"parent_id": b["id"]}
    missing = await client.patch(f"/v1/units/{c['id']}", json={"parent_id": "unit_01NOPE"}, headers=h)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "/parent_id"


async def test_racing_moves_never_make_a_cycle(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    for _ in range(20):
        x = await unit(client, h, "X", kind="team")
        y = await unit(client, h, "Y", kind="team")
        answers = await asyncio.gather(
            client.patch(f"/v1/units/{x['id']}", json={"parent_id": y["id"]}, headers=h),
            client.patch(f"/v1/units/{y['id']}", json={"parent_id": x["id"]}, headers=h),
        )
        assert sorted(r.status_code for r in answers) == [200, 409], [r.text for r in answers]
        x_now = (await client.get(f"/v1/units/{x['id']}", headers=h)).json()
        y_now = (await client.get(f"/v1/units/{y['id']}", headers=h)).json()
        assert not (x_now["parent_id"] == y["id"] and y_now["parent_id"] == x["id"]), "a cycle"
        assert len(await ids(client, f"/v1/units/{x['id']}/ancestors", h)) <= 1


async def test_manager_cycles_reports_and_chain(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    ceo = await person(client, h, "Ceo")
    vp = await person(client, h, "Vp", ceo["id"])
    dev = await person(client, h, "Dev", vp["id"])
    intern = await person(client, h, "Intern", dev["id"])
    r = await client.patch(f"/v1/people/{ceo['id']}", json={"manager_id": intern["id"]}, headers=h)
    assert r.status_code == 409
    assert (await client.patch(f"/v1/people/{ceo['id']}", json={"manager_id": ceo["id"]}, headers=h)).status_code == 409
    assert await ids(client, f"/v1/people/{ceo['id']}/reports", h) == [vp["id"]]
    assert await ids(client, f"/v1/people/{ceo['id']}/reports", h, recursive="true") == [
        vp["id"],
        dev["id"],
        intern["id"],
    ]
    assert await ids(client, f"/v1/people/{intern['id']}/management-chain", h) == [dev["id"], vp["id"], ceo["id"]]


async def test_emails_are_unique_per_organization(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    await person(client, h, "Ada")
    dup = await client.post(
        "/v1/people", json={"given_name": "X", "family_name": "Y", "email": "ADA@example.test"}, headers=h
    )
    assert dup.status_code == 409
    _other, h2 = await make_org(client)
    await person(client, h2, "Ada")  # another organization: fine
    bad = await client.post(
        "/v1/people", json={"given_name": "X", "family_name": "Y", "email": "not-an-email"}, headers=h
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "/email"


async def test_one_primary_membership_at_a_time(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    sales, ops = await unit(client, h, "Sales"), await unit(client, h, "Ops")
    p = await person(client, h, "Ada")
    first = await client.post(
        "/v1/memberships",
        json={"person_id": p["id"], "unit_id": sales["id"], "primary": True, "starts_on": "2026-01-01"},
        headers=h,
    )
    assert first.status_code == 201
    clash = await client.post(
        "/v1/memberships", json={"person_id": p["id"], "unit_id": ops["id"], "primary": True}, headers=h
    )
    assert clash.status_code == 409
    rotation = await client.post(
        "/v1/memberships", json={"person_id": p["id"], "unit_id": ops["id"], "kind": "rotation"}, headers=h
    )
    assert rotation.status_code == 201, "a person may belong to several units"
    await client.post(f"/v1/memberships/{first.json()['id']}/end", json={"ends_on": "2026-06-30"}, headers=h)
    later = await client.post(
        "/v1/memberships",
        json={"person_id": p["id"], "unit_id": ops["id"], "primary": True, "starts_on": "2026-07-01"},
        headers=h,
    )
    assert later.status_code == 201, later.text
    bad_dates = await client.post(
        "/v1/memberships",
        json={"person_id": p["id"], "unit_id": ops["id"], "starts_on": "2026-07-01", "ends_on": "2026-06-01"},
        headers=h,
    )
    assert bad_dates.status_code == 422


async def test_deletion_rules(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    top = await unit(client, h, "Top", kind="company")
    child = await unit(client, h, "Child", top["id"])
    p = await person(client, h, "Ada")
    m = (await client.post("/v1/memberships", json={"person_id": p["id"], "unit_id": child["id"]}, headers=h)).json()
    assert (await client.delete(f"/v1/units/{top['id']}", headers=h)).status_code == 409  # has a child
    assert (await client.delete(f"/v1/units/{child['id']}", headers=h)).status_code == 409  # has a member
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    await client.post(f"/v1/memberships/{m['id']}/end", json={"ends_on": yesterday}, headers=h)
    assert (await client.delete(f"/v1/units/{child['id']}", headers=h)).status_code == 204
    assert (await client.delete(f"/v1/units/{top['id']}", headers=h)).status_code == 204
    assert (await client.delete(f"/v1/people/{p['id']}", headers=h)).status_code == 405, "people are never removed"
    r = await client.post(f"/v1/people/{p['id']}/deactivate", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "inactive"
    types = [e["type"] for e in (await client.get("/v1/events", params={"limit": 200}, headers=h)).json()["data"]]
    assert {"unit.deleted", "membership.ended", "person.deactivated"} <= set(types)


async def test_upsert_by_external_ref(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    r = await client.put("/v1/units/by-external-ref/sap/U1", json={"name": "Sales", "kind": "department"}, headers=h)
    assert r.status_code == 201 and r.json()["external_refs"] == {"sap": "U1"}
    again = await client.put(
        "/v1/units/by-external-ref/sap/U1", json={"name": "Sales & Ops", "kind": "department"}, headers=h
    )
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"] and again.json()["name"] == "Sales & Ops"
    body = {"given_name": "Ada", "family_name": "L", "email": "ada@x.test"}
    p1 = await client.put("/v1/people/by-external-ref/sap/E1", json=body, headers=h)
    p2 = await client.put("/v1/people/by-external-ref/sap/E1", json={**body, "title": "CEO"}, headers=h)
    assert (p1.status_code, p2.status_code) == (201, 200) and p2.json()["title"] == "CEO"
    clash = await client.post(
        "/v1/units", json={"name": "X", "kind": "team", "external_refs": {"sap": "U1"}}, headers=h
    )
    assert clash.status_code == 409
    assert await ids(client, "/v1/people", h, external_ref="sap:E1") == [p1.json()["id"]]


async def test_as_of_answers_the_past(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    company = await unit(client, h, "Co", kind="company")
    sales, ops = await unit(client, h, "Sales", company["id"]), await unit(client, h, "Ops", company["id"])
    team = await unit(client, h, "Team", sales["id"], kind="team")
    boss1, boss2 = await person(client, h, "Boss1"), await person(client, h, "Boss2")
    worker = await person(client, h, "Worker", boss1["id"])
    m = (
        await client.post(
            "/v1/memberships", json={"person_id": worker["id"], "unit_id": team["id"], "primary": True}, headers=h
        )
    ).json()
    before = instant()
    await client.patch(f"/v1/units/{team['id']}", json={"parent_id": ops["id"]}, headers=h)
    await client.patch(f"/v1/people/{worker['id']}", json={"manager_id": boss2["id"]}, headers=h)
    await client.post(
        f"/v1/memberships/{m['id']}/end", json={"ends_on": (date.today() - timedelta(days=1)).isoformat()}, headers=h
    )
    after = instant()

    get = lambda path, at=None: client.get(path, params={"as_of": at} if at else {}, headers=h)  # noqa: E731
    assert (await get(f"/v1/units/{team['id']}", before)).json()["parent_id"] == sales["id"]
    assert (await get(f"/v1/units/{team['id']}", after)).json()["parent_id"] == ops["id"]
    assert (await get(f"/v1/units/{team['id']}")).json()["parent_id"] == ops["id"]
    assert [u["id"] for u in (await get(f"/v1/units/{team['id']}/ancestors", before)).json()["data"]] == [
        sales["id"],
        company["id"],
    ]
    assert [u["id"] for u in (await get(f"/v1/units/{sales['id']}/descendants", before)).json()["data"]] == [team["id"]]
    assert (await get(f"/v1/units/{sales['id']}/descendants", after)).json()["data"] == []
    assert (await get(f"/v1/people/{worker['id']}", before)).json()["manager_id"] == boss1["id"]
    assert (await get(f"/v1/people/{worker['id']}", after)).json()["manager_id"] == boss2["id"]
    assert [p["id"] for p in (await get(f"/v1/people/{boss1['id']}/reports", before)).json()["data"]] == [worker["id"]]
    assert (await get(f"/v1/people/{boss1['id']}/reports", after)).json()["data"] == []
    assert [p["id"] for p in (await get(f"/v1/people/{worker['id']}/management-chain", before)).json()["data"]] == [
        boss1["id"]
    ]
    members_then = (await get("/v1/memberships", before)).json()["data"]
    assert [x["id"] for x in members_then] == [m["id"]] and members_then[0]["ends_on"] is None
    assert (await get("/v1/memberships", after)).json()["data"] == [], "the membership has ended"

    chart_then = (await get("/v1/org-chart", before)).json()["data"]
    sales_then = next(c for c in chart_then[0]["children"] if c["id"] == sales["id"])
    assert [c["id"] for c in sales_then["children"]] == [team["id"]]
    assert [x["person"]["id"] for x in sales_then["children"][0]["members"]] == [worker["id"]]
    chart_now = (await get("/v1/org-chart")).json()["data"]
    ops_now = next(c for c in chart_now[0]["children"] if c["id"] == ops["id"])
    assert [c["id"] for c in ops_now["children"]] == [team["id"]] and ops_now["children"][0]["members"] == []
    ancient = await get(f"/v1/units/{team['id']}", "2000-01-01T00:00:00Z")
    assert ancient.status_code == 404, "the unit did not exist yet"


async def test_org_chart_nested(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    co = await unit(client, h, "Co", kind="company")
    sales = await unit(client, h, "Sales", co["id"])
    team = await unit(client, h, "Team", sales["id"], kind="team")
    p = await person(client, h, "Ada")
    await client.post("/v1/memberships", json={"person_id": p["id"], "unit_id": team["id"], "title": "Lead"}, headers=h)
    chart = (await client.get("/v1/org-chart", headers=h)).json()
    assert chart["next_cursor"] is None and [n["id"] for n in chart["data"]] == [co["id"]]
    assert chart["data"][0]["children"][0]["children"][0]["members"][0]["membership"]["title"] == "Lead"
    shallow = (await client.get("/v1/org-chart", params={"max_depth": 1}, headers=h)).json()["data"]
    assert shallow[0]["children"][0]["children"] == []
    sub = (await client.get("/v1/org-chart", params={"root_id": sales["id"]}, headers=h)).json()["data"]
    assert [n["id"] for n in sub] == [sales["id"]] and sub[0]["children"][0]["id"] == team["id"]
