"""POST /v1/sync/org-chart: one transaction, the batch checked first, idempotent, 10,000 people."""

from __future__ import annotations

import random
from typing import Any

import httpx

from tests.factories import make_org


def payload(people: int, units: int = 60, seed: int = 7) -> dict[str, Any]:
    """A realistic org: a company, divisions, departments and teams; managers inside the tree. The rows
    come shuffled, children often before their parents, as an ERP export would give them."""
    rnd = random.Random(seed)
    unit_rows = [{"external_id": "U0", "name": "Company", "kind": "company", "parent_external_id": None}]
    for i in range(1, units):
        parent = f"U{rnd.randrange(0, i)}"
        unit_rows.append(
            {
                "external_id": f"U{i}",
                "name": f"Unit {i}",
                "kind": rnd.choice(["division", "department", "team"]),
                "parent_external_id": parent,
            }
        )
    person_rows = []
    for i in range(people):
        manager = f"E{rnd.randrange(0, i)}" if i else None
        person_rows.append(
            {
                "external_id": f"E{i}",
                "given_name": f"Given{i}",
                "family_name": f"Family{i}",
                "email": f"person{i}@example.test",
                "title": rnd.choice([None, "Engineer", "Manager"]),
                "manager_external_id": manager,
                "unit_external_id": f"U{rnd.randrange(0, units)}",
            }
        )
    rnd.shuffle(unit_rows)
    rnd.shuffle(person_rows)
    return {"system": "sap", "units": unit_rows, "people": person_rows}


async def event_count(client: httpx.AsyncClient, h: dict[str, str]) -> int:
    n, cursor = 0, None
    while True:
        page = (
            await client.get("/v1/events", params={"limit": 200, **({"cursor": cursor} if cursor else {})}, headers=h)
        ).json()
        n += len(page["data"])
        cursor = page["next_cursor"]
        if not cursor:
            return n


async def test_sync_of_ten_thousand_people_twice(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    body = payload(10_000)
    first = await client.post("/v1/sync/org-chart", json=body, headers=h, timeout=300)
    assert first.status_code == 200, first.text[:500]
    assert first.json() == {
        "units": {"created": 60, "updated": 0, "unchanged": 0},
        "people": {"created": 10_000, "updated": 0, "unchanged": 0},
    }
    events_after_first = await event_count(client, h)
    # one event per unit, person and primary membership, plus the organization's own
    assert events_after_first == 1 + 60 + 10_000 + 10_000

    second = await client.post("/v1/sync/org-chart", json=body, headers=h, timeout=300)
    assert second.json() == {
        "units": {"created": 0, "updated": 0, "unchanged": 60},
        "people": {"created": 0, "updated": 0, "unchanged": 10_000},
    }
    assert await event_count(client, h) == events_after_first, "an unchanged sync writes no event"

    # the org chart is really there: a person found by external ref has the manager and unit of the payload
    row = next(p for p in body["people"] if p["external_id"] == "E42")
    found = (await client.get("/v1/people", params={"external_ref": "sap:E42"}, headers=h)).json()["data"][0]
    manager = (
        await client.get("/v1/people", params={"external_ref": f"sap:{row['manager_external_id']}"}, headers=h)
    ).json()["data"][0]
    assert found["manager_id"] == manager["id"] and found["email"] == row["email"]
    unit = (await client.get("/v1/units", params={"external_ref": f"sap:{row['unit_external_id']}"}, headers=h)).json()[
        "data"
    ][0]
    memberships = (await client.get("/v1/memberships", params={"person_id": found["id"]}, headers=h)).json()["data"]
    assert [(m["unit_id"], m["primary"]) for m in memberships] == [(unit["id"], True)]


async def test_changes_are_counted_and_evented(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    body = payload(50, units=8)
    await client.post("/v1/sync/org-chart", json=body, headers=h)
    before = await event_count(client, h)
    body["people"][0]["title"] = "Chief Something"
    moved = next(u for u in body["units"] if u["parent_external_id"] not in (None, "U0"))
    moved["parent_external_id"] = "U0"
    r = await client.post("/v1/sync/org-chart", json=body, headers=h)
    assert r.json()["units"] == {"created": 0, "updated": 1, "unchanged": 7}
    assert r.json()["people"] == {"created": 0, "updated": 1, "unchanged": 49}
    new_events = (
        await client.get("/v1/events", params={"limit": 200, "type": "unit.moved,person.updated"}, headers=h)
    ).json()["data"]
    assert sorted(e["type"] for e in new_events) == ["person.updated", "unit.moved"]
    assert await event_count(client, h) == before + 2


async def test_one_bad_row_rejects_the_batch(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    body = payload(200, units=10)
    body["people"][17]["email"] = "not an email"
    body["people"][42]["manager_external_id"] = "E-does-not-exist"
    body["units"][3]["kind"] = "galaxy"
    r = await client.post("/v1/sync/org-chart", json=body, headers=h)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in r.json()["errors"]}
    assert "/units/3/kind" in fields
    # shape errors are reported first; once the shapes are right, the rules are checked
    body["units"][3]["kind"] = "team"
    r = await client.post("/v1/sync/org-chart", json=body, headers=h)
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"/people/17/email", "/people/42/manager_external_id"}, r.json()["errors"]
    assert (await client.get("/v1/people", headers=h)).json()["data"] == []
    assert (await client.get("/v1/units", headers=h)).json()["data"] == []
    assert await event_count(client, h) == 1  # the organization's own event only


async def test_cycles_and_duplicates_in_a_batch(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    body = {
        "system": "hr",
        "units": [
            {"external_id": "A", "name": "A", "kind": "team", "parent_external_id": "B"},
            {"external_id": "B", "name": "B", "kind": "team", "parent_external_id": "A"},
        ],
        "people": [
            {"external_id": "P1", "given_name": "a", "family_name": "b", "email": "same@x.test"},
            {"external_id": "P2", "given_name": "c", "family_name": "d", "email": "SAME@x.test"},
            {"external_id": "P1", "given_name": "e", "family_name": "f", "email": "other@x.test"},
        ],
    }
    r = await client.post("/v1/sync/org-chart", json=body, headers=h)
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {
        "/units/0/parent_external_id",
        "/units/1/parent_external_id",
        "/people/1/email",
        "/people/2/external_id",
    } <= fields
