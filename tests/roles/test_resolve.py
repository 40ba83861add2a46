"""RACI resolved to people: through a unit's members, a role's holders, entries inherited from a unit
above, and the implicit A that stands in until an entry names one."""

from __future__ import annotations

import httpx

from tests.factories import make_org
from tests.roles.helpers import (
    assign,
    entry,
    handoff,
    key_result,
    member,
    objective,
    people,
    person,
    resolve,
    role,
    unit,
)

MERGE = {"content-type": "application/merge-patch+json"}


async def test_a_unit_resolves_to_its_members_running_today_each_with_its_path(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    finance = await unit(client, h, "Finance")
    payroll = await unit(client, h, "Payroll", parent_id=finance)
    a, b, c, gone, below, inactive = [await person(client, h, n) for n in ("Ann", "Bob", "Cid", "Gone", "Below", "Ina")]
    for p in (a, b):
        await member(client, h, p, finance)
    await member(client, h, c, finance, kind="rotation")
    await member(client, h, gone, finance, starts_on="2020-01-01", ends_on="2020-12-31")  # ended
    await member(client, h, below, payroll)  # a member of a unit below: not a member of Finance
    await member(client, h, inactive, finance)
    r = await client.patch(f"/v1/people/{inactive}", json={"status": "inactive"}, headers={**h, **MERGE})
    assert r.status_code == 200, r.text
    goal = await objective(client, h, finance)
    made = await entry(client, h, goal["id"], finance, "R")

    found = await resolve(client, h, goal["id"])
    assert people(found, "R") == {a, b, c}
    for holder in found["R"]:
        assert holder["path"]["via"] == "unit" and holder["path"]["party_id"] == finance
        assert holder["path"]["entry_id"] == made["id"] and holder["path"]["membership_id"].startswith("mbr_")
        assert holder["path"]["inherited"] is False


async def test_a_role_resolves_to_its_current_holders_within_their_scope(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    company = await unit(client, h, "Company")
    sales, delivery = [await unit(client, h, n, parent_id=company) for n in ("Sales", "Delivery")]
    emea = await unit(client, h, "Sales EMEA", parent_id=sales)
    controller = await role(client, h, "Controller", responsibilities=["Close the month"], unit_id=company)
    everywhere, for_sales, for_delivery, ended, future = [
        await person(client, h, n) for n in ("Eve", "Sal", "Del", "End", "Fut")
    ]
    ids = {
        everywhere: await assign(client, h, controller, everywhere),
        for_sales: await assign(client, h, controller, for_sales, unit_id=sales),
    }
    await assign(client, h, controller, for_delivery, unit_id=delivery)  # another unit's subjects only
    await assign(client, h, controller, ended, starts_on="2020-01-01", ends_on="2020-06-30")
    await assign(client, h, controller, future, starts_on="2999-01-01")
    goal = await objective(client, h, emea)  # below Sales: in Sales' scope
    await entry(client, h, goal["id"], controller, "C")

    found = await resolve(client, h, goal["id"])
    assert people(found, "C") == {everywhere, for_sales}
    for holder in found["C"]:
        assert holder["path"]["via"] == "role" and holder["path"]["party_id"] == controller
        assert holder["path"]["role_assignment_id"] == ids[holder["person_id"]]


async def test_an_inherited_entry_names_the_unit_it_came_from_and_the_nearest_a_wins(
    client: httpx.AsyncClient,
) -> None:
    _org, h = await make_org(client)
    company = await unit(client, h, "Company")
    sales = await unit(client, h, "Sales", parent_id=company)
    emea = await unit(client, h, "EMEA", parent_id=sales)
    cfo, vp, auditor, quiet = [await person(client, h, n) for n in ("Cfo", "Vp", "Aud", "Quiet")]
    await entry(client, h, company, cfo, "A", inherit="append")
    await entry(client, h, company, auditor, "I", inherit="append")
    await entry(client, h, company, quiet, "C")  # inherit none: Company's own
    goal = await objective(client, h, emea)

    found = await resolve(client, h, goal["id"])
    assert people(found, "A") == {cfo} and people(found, "I") == {auditor} and people(found, "C") == set()
    for letter in ("A", "I"):
        path = found[letter][0]["path"]
        assert path["via"] == "direct" and path["inherited"] is True and path["inherited_from_unit_id"] == company
    assert found["accountable_is_implicit"] is False

    # a nearer unit's A wins over a farther one; the subject's own over both
    await entry(client, h, sales, vp, "A", inherit="append")
    found = await resolve(client, h, goal["id"])
    assert people(found, "A") == {vp} and found["A"][0]["path"]["inherited_from_unit_id"] == sales
    overridden = [e for e in found["entries"] if e["letter"] == "A" and not e["applies"]]
    assert [e["party_id"] for e in overridden] == [cfo]
    own = await person(client, h, "Own")
    await entry(client, h, goal["id"], own, "A")
    found = await resolve(client, h, goal["id"])
    assert people(found, "A") == {own} and found["A"][0]["path"]["inherited"] is False

    # a unit inherits from the units above it, not from itself
    found = await resolve(client, h, emea)
    assert people(found, "A") == {vp} and people(found, "I") == {auditor}
    found = await resolve(client, h, company)
    assert people(found, "C") == {quiet} and people(found, "I") == {auditor}
    assert found["I"][0]["path"]["inherited"] is False  # Company's entry is its own


async def test_implicit_accountable_until_an_entry_names_one(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    owner, lead, addressee, other_lead, kr_owner, explicit = [
        await person(client, h, n) for n in ("Owner", "Lead", "Addr", "Olead", "Krown", "Expl")
    ]
    sales = await unit(client, h, "Sales", lead_person_id=lead)
    delivery = await unit(client, h, "Delivery", lead_person_id=other_lead)
    owned = await objective(client, h, sales, owner_person_id=owner)
    unowned = await objective(client, h, sales)
    measured = await key_result(client, h, owned["id"], 10, owner_person_id=kr_owner)
    unmeasured = await key_result(client, h, unowned["id"], 10)
    addressed = await handoff(client, h, sales, delivery, to_person_id=addressee)
    to_unit = await handoff(client, h, sales, delivery)

    expected = {
        owned["id"]: (owner, "owner_person_id"),
        unowned["id"]: (lead, "owner_unit_lead"),
        measured["id"]: (kr_owner, "owner_person_id"),
        unmeasured["id"]: (lead, "owner_unit_lead"),
        addressed["id"]: (addressee, "to_person_id"),
        to_unit["id"]: (other_lead, "addressed_unit_lead"),
        sales: (lead, "lead_person_id"),
    }
    for subject, (who, rule) in expected.items():
        found = await resolve(client, h, subject)
        assert found["accountable_is_implicit"] is True, subject
        assert [(a["person_id"], a["implicit"], a["path"]["via"], a["path"]["rule"]) for a in found["A"]] == [
            (who, True, "implicit", rule)
        ], subject

    for subject in (owned["id"], addressed["id"]):  # an explicit A replaces the implicit one
        await entry(client, h, subject, explicit, "A")
        found = await resolve(client, h, subject)
        assert found["accountable_is_implicit"] is False
        assert [(a["person_id"], a["implicit"]) for a in found["A"]] == [(explicit, False)]


async def test_resolve_refuses_what_is_no_subject_of_this_organization(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    _other, h2 = await make_org(client, "Other")
    theirs = await unit(client, h2, "Theirs")
    for subject in (theirs, "obj_01J9Z3Q4K6W8X2Y5V7T9R1M3N5", "nothing", "person_01J9Z3Q4K6W8X2Y5V7T9R1M3N5", ""):
        r = await client.get("/v1/raci/resolve", params={"subject_id": subject}, headers=h)
        assert r.status_code in (404, 422), (subject, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
