"""What RACI answers beyond one subject: a unit's matrix (JSON, and CSV a spreadsheet opens as a grid), a
person's responsibilities, and the feed of the events that concern them."""

from __future__ import annotations

import csv
import io

import httpx

from tests.factories import bearer, make_org
from tests.roles.helpers import assign, entry, handoff, key_result, member, objective, person, role, unit


async def test_the_matrix_is_a_grid_in_json_and_csv(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    company = await unit(client, h, "Company")
    sales = await unit(client, h, "Sales", parent_id=company)
    delivery = await unit(client, h, "Delivery", parent_id=company)
    ann, bob, owner = [await person(client, h, n) for n in ("Ann", "Bob", "Owner")]
    controller = await role(client, h, 'Controller, "finance"')  # a name a CSV must quote
    goal = await objective(client, h, sales, title="Grow, a lot", owner_person_id=owner)
    kr = await key_result(client, h, goal["id"], 10)
    ho = await handoff(client, h, sales, delivery)
    await entry(client, h, goal["id"], ann, "R")
    await entry(client, h, goal["id"], ann, "C")
    await entry(client, h, ho["id"], delivery, "A")
    await entry(client, h, sales, controller, "I")
    await entry(client, h, company, bob, "C", inherit="append")

    r = await client.get("/v1/raci/matrix", params={"unit_id": sales}, headers=h)
    assert r.status_code == 200, r.text
    m = r.json()
    assert [row["subject_id"] for row in m["rows"]] == [sales, goal["id"], kr["id"], ho["id"]]
    parties = {p["party_id"]: p["name"] for p in m["parties"]}
    assert set(parties) == {ann, bob, owner, controller, delivery}
    rows = {row["subject_id"]: row for row in m["rows"]}
    assert rows[goal["id"]]["cells"][ann] == ["R", "C"]
    assert rows[goal["id"]]["cells"][owner] == ["A"] and rows[goal["id"]]["accountable_is_implicit"] is True
    assert rows[ho["id"]]["cells"][delivery] == ["A"]  # Delivery has no member: nobody stands in (no lead)
    assert rows[ho["id"]]["accountable_is_implicit"] is False
    assert all(row["cells"][bob] == ["C"] for row in m["rows"])  # inherited from Company by every subject

    for ask in ({"headers": {**h, "Accept": "text/csv"}}, {"headers": h, "params": {"format": "csv"}}):
        params = {"unit_id": sales, **ask.get("params", {})}
        r = await client.get("/v1/raci/matrix", params=params, headers=ask["headers"])
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv"), r.text
        grid = list(csv.reader(io.StringIO(r.text)))
        assert len({len(line) for line in grid}) == 1  # a rectangle
        header, body = grid[0], grid[1:]
        assert header[:3] == ["subject_type", "subject_id", "subject"] and len(header) == 3 + len(parties)
        assert [line[1] for line in body] == [sales, goal["id"], kr["id"], ho["id"]]
        column = {party: header.index(next(c for c in header if party in c)) for party in parties}
        line = next(line for line in body if line[1] == goal["id"])
        assert line[2] == "Grow, a lot" and line[column[ann]] == "R/C" and line[column[owner]] == "A (implicit)"
        assert any('Controller, "finance"' in c for c in header)
    r = await client.get("/v1/raci/matrix", params={"unit_id": "unit_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"}, headers=h)
    assert r.status_code == 404


async def test_responsibilities_and_the_feed_of_what_concerns_a_person(client: httpx.AsyncClient) -> None:
    org, h = await make_org(client)
    company = await unit(client, h, "Company")
    sales = await unit(client, h, "Sales", parent_id=company)
    emea = await unit(client, h, "EMEA", parent_id=sales)
    delivery = await unit(client, h, "Delivery", parent_id=company)
    ann, bob = await person(client, h, "Ann"), await person(client, h, "Bob")
    await member(client, h, ann, delivery)
    reviewer = await role(client, h, "Reviewer")
    held = await assign(client, h, reviewer, ann, unit_id=sales)
    watched = await objective(client, h, company, title="Watched")  # Ann: I, directly
    handed = await handoff(client, h, sales, delivery)  # Ann: R, through Delivery
    below = await objective(client, h, emea, title="Below")  # Ann: C, through her role, inherited from Sales
    unrelated = await objective(client, h, company, title="Unrelated")
    outside = await objective(client, h, delivery, title="Outside the role's scope")
    await entry(client, h, watched["id"], ann, "I")
    await entry(client, h, handed["id"], delivery, "R")
    await entry(client, h, sales, reviewer, "C", inherit="append")
    await entry(client, h, outside["id"], reviewer, "C")
    await entry(client, h, unrelated["id"], bob, "A")

    r = await client.get(f"/v1/people/{ann}/responsibilities", headers=h)
    assert r.status_code == 200, r.text
    mine = r.json()
    assert [(x["role"]["id"], x["assignment"]["id"]) for x in mine["roles"]] == [(reviewer, held)]
    letters = {(x["subject_id"], x["letter"], x["via"]) for x in mine["letters"]}
    assert letters == {(watched["id"], "I", "direct"), (handed["id"], "R", "unit"), (sales, "C", "role")}

    await key_result(client, h, below["id"], 5)  # an event of a key result of an objective Ann is C on
    r = await client.get(f"/v1/people/{ann}/feed", params={"limit": 100}, headers=h)
    assert r.status_code == 200, r.text
    feed = r.json()["data"]
    about = {
        e["data"]["object"].get("subject_id") or e["data"]["object"].get("objective_id") or e["data"]["object"]["id"]
        for e in feed
    }
    assert {watched["id"], handed["id"], below["id"], sales, emea} <= about
    assert unrelated["id"] not in about and outside["id"] not in about
    assert "key_result.created" in {e["type"] for e in feed}
    assert [e["id"] for e in feed] == sorted(e["id"] for e in feed)

    # polling with `after`, a page at a time, and by type
    first = (await client.get(f"/v1/people/{ann}/feed", params={"limit": 2}, headers=h)).json()
    rest = (
        await client.get(f"/v1/people/{ann}/feed", params={"after": first["data"][-1]["id"], "limit": 100}, headers=h)
    ).json()
    assert [e["id"] for e in first["data"] + rest["data"]] == [e["id"] for e in feed]
    typed = (await client.get(f"/v1/people/{ann}/feed", params={"type": "handoff.*"}, headers=h)).json()["data"]
    assert typed and {e["type"] for e in typed} == {"handoff.created"}

    # resolved when read: Bob joins Delivery and sees the handoff's events, from the start
    r = await client.get(f"/v1/people/{bob}/feed", headers=h)
    assert handed["id"] not in {e["data"]["object"].get("id") for e in r.json()["data"]}
    await member(client, h, bob, delivery)
    r = await client.get(f"/v1/people/{bob}/feed", headers=h)
    assert handed["id"] in {e["data"]["object"].get("id") for e in r.json()["data"]}

    # the event log's own rules: events:read, and this organization's people only
    r = await client.get(f"/v1/people/{ann}/feed", headers=bearer(org, "roles:read org:read"))
    assert r.status_code == 403
    _other, h2 = await make_org(client, "Other")
    assert (await client.get(f"/v1/people/{ann}/feed", headers=h2)).status_code == 404
    assert (await client.get(f"/v1/people/{ann}/responsibilities", headers=h2)).status_code == 404


async def test_what_a_caller_may_read_and_a_grid_that_runs_no_formula(client: httpx.AsyncClient) -> None:
    org, h = await make_org(client)
    sales = await unit(client, h, '=HYPERLINK("http://evil.example","x")')
    delivery = await unit(client, h, "Delivery")
    owner = await person(client, h, "Owner")
    goal = await objective(client, h, sales, title="+SUM(1+1)", owner_person_id=owner)
    ho = await handoff(client, h, sales, delivery, title="@cmd")
    await entry(client, h, goal["id"], owner, "R")

    grid = list(csv.reader(io.StringIO((await client.get(
        "/v1/raci/matrix", params={"unit_id": sales, "format": "csv"}, headers=h)).text)))  # fmt: skip
    cells = [c for line in grid for c in line]
    assert "'+SUM(1+1)" in cells and "'@cmd" in cells and not any(c[:1] in "=+-@" for c in cells if c)

    only_roles = bearer(org, "roles:read")
    for subject in (goal["id"], ho["id"], sales):
        assert (
            await client.get("/v1/raci/resolve", params={"subject_id": subject}, headers=only_roles)
        ).status_code == 403
    assert (await client.get("/v1/raci/matrix", params={"unit_id": sales}, headers=only_roles)).status_code == 403
    org_only = bearer(org, "roles:read org:read")
    assert (await client.get("/v1/raci/resolve", params={"subject_id": sales}, headers=org_only)).status_code == 200
    assert (await client.get("/v1/raci/resolve", params={"subject_id": ho["id"]}, headers=org_only)).status_code == 403
    rows = (await client.get("/v1/raci/matrix", params={"unit_id": sales}, headers=org_only)).json()["rows"]
    assert [r["subject_id"] for r in rows] == [sales]  # no objectives:read, no handoffs:read: their rows left out
    with_objectives = bearer(org, "roles:read org:read objectives:read")
    rows = (await client.get("/v1/raci/matrix", params={"unit_id": sales}, headers=with_objectives)).json()["rows"]
    assert [r["subject_id"] for r in rows] == [sales, goal["id"]]


async def test_a_role_held_below_an_inherited_entry_counts_within_its_scope(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    parent = await unit(client, h, "Parent")
    child = await unit(client, h, "Child", parent_id=parent)
    other = await unit(client, h, "Other", parent_id=parent)
    x = await person(client, h, "X")
    reviewer = await role(client, h, "Reviewer")
    await assign(client, h, reviewer, x, unit_id=child)
    inside = await objective(client, h, child, title="Inside")
    outside = await objective(client, h, other, title="Outside")
    await entry(client, h, parent, reviewer, "R", inherit="append")

    assert x in {p["person_id"] for p in (await _resolve(client, h, inside["id"]))["R"]}
    assert x not in {p["person_id"] for p in (await _resolve(client, h, outside["id"]))["R"]}
    letters = (await client.get(f"/v1/people/{x}/responsibilities", headers=h)).json()["letters"]
    assert [(x_["subject_id"], x_["via"], x_["within_unit_id"]) for x_ in letters] == [(parent, "role", child)]
    feed = (await client.get(f"/v1/people/{x}/feed", params={"limit": 200}, headers=h)).json()["data"]
    about = {e["data"]["object"]["id"] for e in feed if e["type"].startswith("objective.")}
    assert inside["id"] in about and outside["id"] not in about


async def test_an_a_that_names_nobody_today_lets_the_owner_stand_in(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    sales, empty = await unit(client, h, "Sales"), await unit(client, h, "Empty")
    owner = await person(client, h, "Owner")
    goal = await objective(client, h, sales, owner_person_id=owner)
    await entry(client, h, goal["id"], empty, "A")
    found = await _resolve(client, h, goal["id"])
    assert [(a["person_id"], a["implicit"]) for a in found["A"]] == [(owner, True)]
    assert found["accountable_is_implicit"] is True
    assert [e["party_id"] for e in found["entries"] if e["letter"] == "A"] == [empty]


async def _resolve(client: httpx.AsyncClient, h: dict[str, str], subject: str) -> dict[str, object]:
    r = await client.get("/v1/raci/resolve", params={"subject_id": subject}, headers=h)
    assert r.status_code == 200, r.text
    found: dict[str, object] = r.json()
    return found


async def test_lists_of_things_without_external_refs_refuse_the_filter(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    ann = await person(client, h, "Ann")
    for path in ("/v1/events", f"/v1/people/{ann}/feed"):
        r = await client.get(path, params={"external_ref": "sap:1"}, headers=h)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "/external_ref", (path, r.text)
        assert (await client.get(path, headers=h)).status_code == 200
