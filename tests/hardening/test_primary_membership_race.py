"""Class 2 of the hardening review: "at most one primary membership" holds when the membership commands
race the org-chart sync (which decides primaries from `unit_external_id`). 20 rounds of each race; on
PostgreSQL the requests really run at the same time on separate connections."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import httpx

from tests.factories import make_org

MERGE = {"content-type": "application/merge-patch+json"}


def _sync(unit_of_person: str | None) -> dict[str, Any]:
    person: dict[str, Any] = {"external_id": "P", "given_name": "P", "family_name": "Q", "email": "p@x.test"}
    if unit_of_person:
        person["unit_external_id"] = unit_of_person
    units = [{"external_id": u, "name": u, "kind": "team"} for u in ("U1", "U2")]
    return {"system": "hr", "units": units, "people": [person]}


async def _running_primaries(client: httpx.AsyncClient, h: dict[str, str], person_id: str) -> int:
    r = await client.get("/v1/memberships", params={"person_id": person_id, "limit": 100}, headers=h)
    today = date.today().isoformat()
    return sum(
        1
        for m in r.json()["data"]
        if m["primary"] and (m["starts_on"] or "") <= today and (m["ends_on"] is None or m["ends_on"] >= today)
    )


async def _setup(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, str], str]:
    _org, h = await make_org(client)
    assert (await client.post("/v1/sync/org-chart", json=_sync(None), headers=h)).status_code == 200
    units = {u["name"]: u["id"] for u in (await client.get("/v1/units", headers=h)).json()["data"]}
    person = (await client.get("/v1/people", headers=h)).json()["data"][0]["id"]
    return h, units, person


async def test_creating_a_primary_racing_the_sync(client: httpx.AsyncClient) -> None:
    outcomes = set()
    for _round in range(20):
        h, units, person = await _setup(client)
        created, synced = await asyncio.gather(
            client.post(
                "/v1/memberships", json={"person_id": person, "unit_id": units["U1"], "primary": True}, headers=h
            ),
            client.post("/v1/sync/org-chart", json=_sync("U2"), headers=h),
        )
        assert created.status_code in (201, 409), created.text
        assert synced.status_code == 200, synced.text
        outcomes.add(created.status_code)
        assert await _running_primaries(client, h, person) == 1
    print("outcomes of the membership request:", sorted(outcomes))


async def test_patching_primary_racing_the_sync(client: httpx.AsyncClient) -> None:
    for _round in range(20):
        h, units, person = await _setup(client)
        m = await client.post("/v1/memberships", json={"person_id": person, "unit_id": units["U1"]}, headers=h)
        assert m.status_code == 201
        patched, synced = await asyncio.gather(
            client.patch(f"/v1/memberships/{m.json()['id']}", json={"primary": True}, headers={**h, **MERGE}),
            client.post("/v1/sync/org-chart", json=_sync("U2"), headers=h),
        )
        assert patched.status_code in (200, 409), patched.text
        assert synced.status_code == 200, synced.text
        assert await _running_primaries(client, h, person) <= 1
