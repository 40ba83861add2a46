"""RACI entries and role assignments as an integrator writes them: one A per subject even when requests
race, entries that name what exists in this organization, assignments read as they stood, deletions that
take their entries along."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx

from tests.factories import make_org
from tests.roles.helpers import assign, entry, handoff, key_result, member, objective, person, role, unit

MERGE = {"content-type": "application/merge-patch+json"}


async def test_one_accountable_per_subject_under_twenty_racing_pairs(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    sales, delivery = await unit(client, h, "Sales"), await unit(client, h, "Delivery")
    ann, bob = await person(client, h, "Ann"), await person(client, h, "Bob")
    subjects = [(await objective(client, h, sales))["id"] for _ in range(10)]
    subjects += [(await handoff(client, h, sales, delivery))["id"] for _ in range(5)]
    subjects += [await unit(client, h, f"Team {i}", parent_id=sales) for i in range(5)]

    def body(subject: str, party: str) -> dict[str, str]:
        kind = {"obj": "objective", "ho": "handoff", "unit": "unit"}[subject.split("_")[0]]
        party_type = party.split("_")[0]
        return {"subject_type": kind, "subject_id": subject, "party_type": party_type, "party_id": party, "letter": "A"}

    answers = await asyncio.gather(
        *[client.post("/v1/raci", json=body(s, p), headers=h) for s in subjects for p in (ann, sales)]
    )
    for i, s in enumerate(subjects):
        pair = sorted(r.status_code for r in answers[2 * i : 2 * i + 2])
        assert pair == [201, 409], (s, [r.text for r in answers[2 * i : 2 * i + 2]])
        listed = (await client.get("/v1/raci", params={"subject_id": s, "letter": "A"}, headers=h)).json()["data"]
        assert len(listed) == 1

    # a change of letter racing a new A: one of them wins
    for s in subjects[:5]:
        await client.delete(f"/v1/raci/{listed_a(await _entries(client, h, s))}", headers=h)
        c = await entry(client, h, s, bob, "C")
        moved, made = await asyncio.gather(
            client.patch(f"/v1/raci/{c['id']}", json={"letter": "A"}, headers={**h, **MERGE}),
            client.post("/v1/raci", json=body(s, ann), headers=h),
        )
        assert sorted([moved.status_code, made.status_code]) in ([200, 409], [201, 409]), (moved.text, made.text)
        assert len([e for e in await _entries(client, h, s) if e["letter"] == "A"]) == 1


async def _entries(client: httpx.AsyncClient, h: dict[str, str], subject: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = (await client.get("/v1/raci", params={"subject_id": subject}, headers=h)).json()[
        "data"
    ]
    return found


def listed_a(entries: list[dict[str, str]]) -> str:
    return next(e["id"] for e in entries if e["letter"] == "A")


async def test_a_second_a_and_a_repeated_letter_are_409_problems(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    sales = await unit(client, h, "Sales")
    ann, bob = await person(client, h, "Ann"), await person(client, h, "Bob")
    goal = await objective(client, h, sales)
    await entry(client, h, goal["id"], ann, "A")
    for party, letter in ((bob, "A"), (ann, "A")):
        r = await client.post(
            "/v1/raci",
            json={"subject_type": "objective", "subject_id": goal["id"], "party_type": "person", "party_id": party,
                  "letter": letter},
            headers=h,
        )  # fmt: skip
        assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json"), r.text
    r_entry = await entry(client, h, goal["id"], bob, "R")
    r = await client.patch(f"/v1/raci/{r_entry['id']}", json={"letter": "A"}, headers={**h, **MERGE})
    assert r.status_code == 409, r.text
    # the same party may hold several letters
    await entry(client, h, goal["id"], ann, "R")


async def test_entries_name_what_exists_here_and_fit_their_kinds(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    _other, h2 = await make_org(client, "Other")
    sales = await unit(client, h, "Sales")
    theirs = await unit(client, h2, "Theirs")
    their_person = await person(client, h2, "Them")
    ann = await person(client, h, "Ann")
    goal = await objective(client, h, sales)
    base = {
        "subject_type": "objective",
        "subject_id": goal["id"],
        "party_type": "person",
        "party_id": ann,
        "letter": "R",
    }
    bad = [
        ({"subject_type": "unit", "subject_id": theirs}, "/subject_id", "not_found"),
        ({"party_id": their_person}, "/party_id", "not_found"),
        ({"subject_type": "unit"}, "/subject_id", "invalid"),  # an objective's id is no unit's
        ({"party_type": "role"}, "/party_id", "invalid"),
        ({"letter": "X"}, "/letter", None),
        ({"subject_type": "person"}, "/subject_type", None),
        ({"inherit": "append"}, "/inherit", "invalid"),  # only a unit's entries are inherited
        ({"subject_id": "obj_" + "9" * 60}, "/subject_id", None),
        ({"party_id": None}, "/party_id", None),
        ({"letter": 1}, "/letter", None),
    ]
    for change, pointer, code in bad:
        r = await client.post("/v1/raci", json={**base, **change}, headers=h)
        assert r.status_code == 422, (change, r.text)
        fields = {e["field"]: e["code"] for e in r.json()["errors"]}
        assert pointer in fields, (change, fields)
        if code:
            assert fields[pointer] == code, (change, fields)
    assert (await client.get("/v1/raci", headers=h)).json()["data"] == []
    made = await entry(client, h, goal["id"], ann, "R")
    for patch in ({"subject_id": goal["id"]}, {"party_id": ann}, {"letter": None}, {"inherit": "sideways"}):
        r = await client.patch(f"/v1/raci/{made['id']}", json=patch, headers={**h, **MERGE})
        assert r.status_code == 422, (patch, r.text)
    r = await client.get(f"/v1/raci/{made['id']}", headers=h2)
    assert r.status_code == 404


async def test_role_assignments_read_as_of_before_and_after_a_change(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    sales = await unit(client, h, "Sales")
    emea = await unit(client, h, "EMEA", parent_id=sales)
    ann, bob = await person(client, h, "Ann"), await person(client, h, "Bob")
    controller = await role(client, h, "Controller")
    before_any = datetime.now(UTC).isoformat()
    first = await assign(client, h, controller, ann, unit_id=sales)
    await assign(client, h, controller, bob)
    await asyncio.sleep(0.05)
    before_change = datetime.now(UTC).isoformat()
    await asyncio.sleep(0.05)
    r = await client.patch(f"/v1/role-assignments/{first}", json={"unit_id": emea}, headers={**h, **MERGE})
    assert r.status_code == 200, r.text
    r = await client.patch(
        f"/v1/role-assignments/{first}", json={"ends_on": datetime.now(UTC).date().isoformat()}, headers={**h, **MERGE}
    )
    assert r.status_code == 200, r.text

    async def at(as_of: str | None) -> dict[str, dict[str, str | None]]:
        params = {"role_id": controller, **({"as_of": as_of} if as_of else {})}
        r = await client.get("/v1/role-assignments", params=params, headers=h)
        assert r.status_code == 200, r.text
        return {a["person_id"]: a for a in r.json()["data"]}

    assert await at(before_any) == {}
    then = await at(before_change)
    assert set(then) == {ann, bob} and then[ann]["unit_id"] == sales and then[ann]["ends_on"] is None
    now = await at(None)
    assert now[ann]["unit_id"] == emea and now[ann]["ends_on"] is not None
    r = await client.get(f"/v1/role-assignments/{first}", params={"as_of": before_change}, headers=h)
    assert r.status_code == 200 and r.json()["unit_id"] == sales
    events = (await client.get("/v1/events", params={"type": "role_assignment.*"}, headers=h)).json()["data"]
    assert [e["type"] for e in events] == [
        "role_assignment.created",
        "role_assignment.created",
        "role_assignment.updated",
        "role_assignment.ended",
    ]
    assert events[2]["data"]["previous_attributes"]["unit_id"] == sales
    assert events[3]["data"]["previous_attributes"]["ends_on"] is None
    r = await client.post(
        "/v1/role-assignments",
        json={"role_id": controller, "person_id": ann, "starts_on": "2026-02-01", "ends_on": "2026-01-01"},
        headers=h,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "/ends_on", r.text


async def test_deleting_a_subject_or_party_takes_its_entries_along(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    sales = await unit(client, h, "Sales")
    team = await unit(client, h, "Team", parent_id=sales)
    ann = await person(client, h, "Ann")
    goal = await objective(client, h, sales)
    kr = await key_result(client, h, goal["id"], 10)
    auditor = await role(client, h, "Auditor")
    on_goal = await entry(client, h, goal["id"], auditor, "I")
    on_kr = await entry(client, h, kr["id"], ann, "R")
    on_team = await entry(client, h, team, ann, "C")
    team_as_party = await entry(client, h, sales, team, "I")
    holder = await assign(client, h, auditor, ann)

    r = await client.delete(f"/v1/roles/{auditor}", headers=h)
    assert r.status_code == 409, r.text  # someone holds it
    assert (await client.delete(f"/v1/role-assignments/{holder}", headers=h)).status_code == 204
    assert (await client.delete(f"/v1/roles/{auditor}", headers=h)).status_code == 204
    assert (await client.delete(f"/v1/objectives/{goal['id']}", headers=h)).status_code == 204
    assert (await client.delete(f"/v1/units/{team}", headers=h)).status_code == 204
    assert (await client.get("/v1/raci", headers=h)).json()["data"] == []
    deleted = (await client.get("/v1/events", params={"type": "raci.deleted"}, headers=h)).json()["data"]
    assert {e["data"]["object"]["id"] for e in deleted} == {e["id"] for e in (on_goal, on_kr, on_team, team_as_party)}

    # a unit that owns a role or scopes an assignment stays until they change
    owned = await role(client, h, "Owned", unit_id=sales)
    r = await client.delete(f"/v1/units/{sales}", headers=h)
    assert r.status_code == 409 and "role" in r.json()["detail"], r.text
    assert (await client.patch(f"/v1/roles/{owned}", json={"unit_id": None}, headers={**h, **MERGE})).status_code == 200
    await member(client, h, ann, sales, ends_on="2020-01-01", starts_on="2019-01-01")


async def test_an_entry_racing_the_deletion_of_its_subject_never_outlives_it(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    sales = await unit(client, h, "Sales")
    ann = await person(client, h, "Ann")
    for _round in range(8):
        goal = await objective(client, h, sales)
        kr = await key_result(client, h, goal["id"], 10)
        team = await unit(client, h, "Team", parent_id=sales)
        answers = await asyncio.gather(
            client.post(
                "/v1/raci",
                json={
                    "subject_type": "key_result",
                    "subject_id": kr["id"],
                    "party_type": "person",
                    "party_id": ann,
                    "letter": "R",
                },
                headers=h,
            ),
            client.delete(f"/v1/objectives/{goal['id']}", headers=h),
            client.post(
                "/v1/raci",
                json={
                    "subject_type": "unit",
                    "subject_id": team,
                    "party_type": "unit",
                    "party_id": sales,
                    "letter": "I",
                },
                headers=h,
            ),
            client.delete(f"/v1/units/{team}", headers=h),
        )
        assert all(r.status_code in (201, 204, 409, 422) for r in answers), [r.text for r in answers]
        left = (await client.get("/v1/raci", params={"limit": 200}, headers=h)).json()["data"]
        for e in left:
            path = {"key_result": "key-results", "unit": "units"}[e["subject_type"]]
            assert (await client.get(f"/v1/{path}/{e['subject_id']}", headers=h)).status_code == 200, e
