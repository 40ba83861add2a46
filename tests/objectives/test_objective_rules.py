"""The rules of objectives as an integrator meets them over REST: alignment cycles (also racing), periods
that must overlap, what cannot be deleted, closed objectives, a unit's objectives, reads of the past,
check-ins as a record, the events a roll-up records."""

from __future__ import annotations

import asyncio

import httpx

from tests.factories import bearer, make_org
from tests.objectives.helpers import check_in, get, key_result, objective, unit

MERGE = {"content-type": "application/merge-patch+json"}


async def test_an_alignment_cycle_is_a_409_also_when_two_moves_race(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    u = await unit(client, h, "Sales")
    a = await objective(client, h, u)
    b = await objective(client, h, u, parent_id=a["id"])
    c = await objective(client, h, u, parent_id=b["id"])
    r = await client.patch(f"/v1/objectives/{a['id']}", json={"parent_id": c["id"]}, headers={**h, **MERGE})
    assert r.status_code == 409 and r.json()["type"].endswith("conflict"), r.text
    r = await client.patch(f"/v1/objectives/{a['id']}", json={"parent_id": a["id"]}, headers={**h, **MERGE})
    assert r.status_code == 409
    for _round in range(10):  # x under y and y under x at once: one wins, the other is refused
        x, y = await objective(client, h, u), await objective(client, h, u)
        answers = await asyncio.gather(
            client.patch(f"/v1/objectives/{x['id']}", json={"parent_id": y["id"]}, headers={**h, **MERGE}),
            client.patch(f"/v1/objectives/{y['id']}", json={"parent_id": x["id"]}, headers={**h, **MERGE}),
        )
        assert sorted(r.status_code for r in answers) == [200, 409], [r.text for r in answers]
        x2, y2 = await get(client, h, f"/v1/objectives/{x['id']}"), await get(client, h, f"/v1/objectives/{y['id']}")
        assert not (x2["parent_id"] == y["id"] and y2["parent_id"] == x["id"])


async def test_a_child_s_period_must_overlap_its_parent_s(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    u = await unit(client, h, "Sales")
    parent = await objective(client, h, u)  # 2026-07-01 .. 2026-09-30
    body = {"title": "Later", "owner_unit_id": u, "period_start": "2027-01-01", "period_end": "2027-03-31"}
    r = await client.post("/v1/objectives", json={**body, "parent_id": parent["id"]}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "/period_start", r.text
    child = await objective(client, h, u, parent_id=parent["id"], period_start="2026-09-01", period_end="2026-12-31")
    # moving the parent's period away from its child's is refused too
    r = await client.patch(
        f"/v1/objectives/{parent['id']}", json={"period_start": "2026-01-01", "period_end": "2026-03-31"}, headers=h
    )
    assert r.status_code == 422, r.text
    assert child["id"] in r.json()["errors"][0]["message"]
    r = await client.post("/v1/objectives", json={**body, "period_end": "2026-12-31"}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "/period_end"


async def test_what_cannot_be_deleted(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    u = await unit(client, h, "Sales")
    parent = await objective(client, h, u)
    child = await objective(client, h, u, parent_id=parent["id"])
    assert (await client.delete(f"/v1/objectives/{parent['id']}", headers=h)).status_code == 409
    kr = await key_result(client, h, child["id"], 10)
    await check_in(client, h, kr["id"], 3)
    assert (await client.delete(f"/v1/key-results/{kr['id']}", headers=h)).status_code == 409
    assert (await client.delete(f"/v1/objectives/{child['id']}", headers=h)).status_code == 409
    # a key result without check-ins goes, and its objective's figure follows
    spare = await key_result(client, h, parent["id"], 10)
    assert (await client.delete(f"/v1/key-results/{spare['id']}", headers=h)).status_code == 204
    lonely = await objective(client, h, u)
    await key_result(client, h, lonely["id"], 5)
    assert (await client.delete(f"/v1/objectives/{lonely['id']}", headers=h)).status_code == 204
    listed = await get(client, h, f"/v1/key-results?objective_id={lonely['id']}")
    assert listed["data"] == []


async def test_a_closed_objective_takes_no_check_in_and_check_ins_are_a_record(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    person = (
        await client.post(
            "/v1/people", json={"given_name": "A", "family_name": "B", "email": "a@example.com"}, headers=h
        )
    ).json()["id"]
    u = await unit(client, h, "Sales")
    o = await objective(client, h, u)
    kr = await key_result(client, h, o["id"], 10)
    as_person = bearer(_org, "objectives:write objectives:read", person=person)
    first = await check_in(client, as_person, kr["id"], 4, note="first")
    assert first["author_person_id"] == person and first["author"]["person_id"] == person
    await check_in(client, h, kr["id"], 6, note="second")
    by_author = await get(client, h, f"/v1/check-ins?author_person_id={person}")
    assert [c["note"] for c in by_author["data"]] == ["first"]
    before = await get(client, h, f"/v1/check-ins?key_result_id={kr['id']}&created_before={first['created_at']}")
    assert before["data"] == []
    assert len((await get(client, h, f"/v1/check-ins?objective_id={o['id']}"))["data"]) == 2
    assert (await client.patch(f"/v1/check-ins/{first['id']}", json={"note": "x"}, headers=h)).status_code == 405
    assert (await client.delete(f"/v1/check-ins/{first['id']}", headers=h)).status_code == 405
    r = await client.patch(f"/v1/key-results/{kr['id']}", json={"current_value": 9}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "/current_value", r.text
    await client.patch(f"/v1/objectives/{o['id']}", json={"status": "achieved"}, headers=h)
    r = await client.post("/v1/check-ins", json={"key_result_id": kr["id"], "value": 7}, headers=h)
    assert r.status_code == 409, r.text
    assert (await get(client, h, f"/v1/key-results/{kr['id']}"))["current_value"] == 6


async def test_a_unit_s_objectives_with_those_it_contributes_to(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    sales, delivery = await unit(client, h, "Sales"), await unit(client, h, "Delivery")
    owned = await objective(client, h, sales)
    shared = await objective(client, h, delivery, contributor_unit_ids=[sales])
    await objective(client, h, delivery)
    only = await get(client, h, f"/v1/units/{sales}/objectives")
    assert [o["id"] for o in only["data"]] == [owned["id"]]
    both = await get(client, h, f"/v1/units/{sales}/objectives?include=contributing")
    assert [o["id"] for o in both["data"]] == [owned["id"], shared["id"]]
    contributing = await get(client, h, f"/v1/objectives?contributor_unit_id={sales}")
    assert [o["id"] for o in contributing["data"]] == [shared["id"]]
    r = await client.post("/v1/objectives", json={**{k: shared[k] for k in ("title", "period_start", "period_end")},
                          "owner_unit_id": sales, "contributor_unit_ids": ["unit_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"]},
                          headers=h)  # fmt: skip
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_found"
    assert (await client.get("/v1/units/unit_01J9Z3Q4K6W8X2Y5V7T9R1M3N5/objectives", headers=h)).status_code == 404


async def test_reads_of_the_past_and_the_roll_up_s_events(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    u = await unit(client, h, "Sales")
    parent = await objective(client, h, u, progress_rule="children")
    child = await objective(client, h, u, parent_id=parent["id"])
    kr = await key_result(client, h, child["id"], 10)
    before = kr["updated_at"]
    await check_in(client, h, kr["id"], 5)
    now = await get(client, h, f"/v1/objectives/{parent['id']}")
    assert now["progress"] == 0.5 and now["version"] > parent["version"]
    then = await get(client, h, f"/v1/objectives/{parent['id']}?as_of={before}")
    assert then["progress"] == 0.0
    kr_then = await get(client, h, f"/v1/key-results/{kr['id']}?as_of={before}")
    assert kr_then["current_value"] == 0.0
    events = (await client.get("/v1/events", params={"type": "objective.progress_changed"}, headers=h)).json()
    moved = {e["data"]["object"]["id"]: e["data"] for e in events["data"]}
    assert moved[parent["id"]]["previous_attributes"]["progress"] == 0.0
    assert moved[parent["id"]]["object"]["progress"] == 0.5
    types = [e["type"] for e in (await client.get("/v1/events", headers=h)).json()["data"]]
    assert "check_in.created" in types and "key_result.progress_changed" in types


async def test_upsert_by_external_ref_and_if_match(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    u = await unit(client, h, "Sales")
    body = {"title": "From the OKR tool", "owner_unit_id": u, "period_start": "2026-07-01", "period_end": "2026-09-30"}
    r = await client.put("/v1/objectives/by-external-ref/okr/O-7", json=body, headers=h)
    assert r.status_code == 201, r.text
    first = r.json()
    r = await client.patch(f"/v1/objectives/{first['id']}", json={"status": "active"}, headers=h)
    assert r.status_code == 200
    r = await client.put("/v1/objectives/by-external-ref/okr/O-7", json={**body, "title": "Renamed"}, headers=h)
    assert r.status_code == 200 and r.json()["id"] == first["id"] and r.json()["status"] == "active", r.text
    r = await client.patch(
        f"/v1/objectives/{first['id']}", json={"title": "Stale"}, headers={**h, "If-Match": f'"{first["version"]}"'}
    )
    assert r.status_code == 412
