"""Roles and RACI in GraphQL: the same services as REST, `raci` and `raciResolved` on every subject, mutations
with `userErrors`, and a person's responsibilities in a fixed number of statements whatever the org's size."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.test_sync import payload
from tests.factories import make_org
from tests.roles.helpers import assign, entry, handoff, key_result, objective, person, resolve, role, unit
from tests.sqlcount import counting_statements


async def gql(client: httpx.AsyncClient, query: str, h: dict[str, str], **variables: Any) -> dict[str, Any]:
    r = await client.post("/graphql", json={"query": query, "variables": variables}, headers=h, timeout=120)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert "errors" not in body, body
    return body["data"]


CREATE = """mutation($input: CreateRaciEntryInput!) {
  createRaciEntry(input: $input) { raciEntry { id letter subjectId } userErrors { field code message } }
}"""
RESOLVED = """{ accountable { personId implicit path { via rule inheritedFromUnitId } }
  responsible { personId paths { via partyId } } accountableIsImplicit }"""


async def test_mutations_answer_user_errors_with_rest_words(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    sales = await unit(client, h, "Sales")
    ann, bob = await person(client, h, "Ann"), await person(client, h, "Bob")
    goal = await objective(client, h, sales)
    made = await gql(
        client,
        """mutation($input: CreateRoleInput!) { createRole(input: $input) {
             role { id name responsibilities unit { id } } userErrors { code } } }""",
        h,
        input={"name": "Controller", "responsibilities": ["Close the month"], "unitId": sales},
    )
    controller = made["createRole"]["role"]
    assert controller["responsibilities"] == ["Close the month"] and controller["unit"] == {"id": sales}
    base = {"subjectType": "objective", "subjectId": goal["id"], "partyType": "person", "letter": "A"}
    first = (await gql(client, CREATE, h, input={**base, "partyId": ann}))["createRaciEntry"]
    assert first["userErrors"] == [] and first["raciEntry"]["letter"] == "A"
    second = (await gql(client, CREATE, h, input={**base, "partyId": bob}))["createRaciEntry"]
    assert second["raciEntry"] is None and [e["code"] for e in second["userErrors"]] == ["conflict"]
    bad = (await gql(client, CREATE, h, input={**base, "partyId": bob, "letter": "Z"}))["createRaciEntry"]
    assert [(e["field"], e["code"]) for e in bad["userErrors"]] == [("/letter", "invalid")]
    r = await client.post(
        "/v1/raci",
        json={"subject_type": "objective", "subject_id": goal["id"], "party_type": "person", "party_id": bob,
              "letter": "A"},
        headers=h,
    )  # fmt: skip
    assert r.status_code == 409 and r.json()["type"].endswith("conflict")

    held = await gql(
        client,
        """mutation($input: CreateRoleAssignmentInput!) { createRoleAssignment(input: $input) {
             roleAssignment { id role { name } person { id } } userErrors { code } } }""",
        h,
        input={"roleId": controller["id"], "personId": bob},
    )
    assert held["createRoleAssignment"]["roleAssignment"]["role"] == {"name": "Controller"}


async def test_every_subject_answers_raci_and_raci_resolved_like_rest(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    lead, owner, ann, addressee = [await person(client, h, n) for n in ("Lead", "Owner", "Ann", "Addr")]
    sales = await unit(client, h, "Sales", lead_person_id=lead)
    delivery = await unit(client, h, "Delivery")
    goal = await objective(client, h, sales, owner_person_id=owner)
    kr = await key_result(client, h, goal["id"], 10)
    ho = await handoff(client, h, sales, delivery, to_person_id=addressee)
    await entry(client, h, goal["id"], ann, "R")
    query = f"""query($o: ID!, $k: ID!, $ho: ID!, $u: ID!) {{
      objective(id: $o) {{ raci {{ letter partyId }} raciResolved {RESOLVED} }}
      keyResult(id: $k) {{ raciResolved {RESOLVED} }}
      handoff(id: $ho) {{ raciResolved {RESOLVED} }}
      unit(id: $u) {{ raci {{ id }} raciResolved {RESOLVED} roles {{ id }} }}
    }}"""
    data = await gql(client, query, h, o=goal["id"], k=kr["id"], ho=ho["id"], u=sales)
    assert data["objective"]["raci"] == [{"letter": "R", "partyId": ann}]
    expected = {
        "objective": (goal["id"], owner, "owner_person_id"),
        "keyResult": (kr["id"], owner, "owner_person_id"),
        "handoff": (ho["id"], addressee, "to_person_id"),
        "unit": (sales, lead, "lead_person_id"),
    }
    for field, (subject, who, rule) in expected.items():
        got = data[field]["raciResolved"]
        assert got["accountableIsImplicit"] is True
        assert got["accountable"] == [
            {"personId": who, "implicit": True, "path": {"via": "implicit", "rule": rule, "inheritedFromUnitId": None}}
        ]
        rest = await resolve(client, h, subject)
        assert [a["person_id"] for a in rest["A"]] == [who]
        assert [r["personId"] for r in got["responsible"]] == [r["person_id"] for r in rest["R"]]
    assert data["objective"]["raciResolved"]["responsible"] == [
        {"personId": ann, "paths": [{"via": "direct", "partyId": ann}]}
    ]
    assert data["unit"]["roles"] == []

    matrix = await gql(
        client,
        """query($u: ID!, $none: ID!) {
             raciMatrix(unitId: $u) { unitId parties { partyType partyId name }
               rows { subjectId accountableIsImplicit cells { partyId letters } } }
             missing: raciMatrix(unitId: $none) { unitId } }""",
        h,
        u=sales,
        none="unit_01J9Z3Q4K6W8X2Y5V7T9R1M3N5",
    )
    rest = (await client.get("/v1/raci/matrix", params={"unit_id": sales}, headers=h)).json()
    assert matrix["missing"] is None
    assert [r["subjectId"] for r in matrix["raciMatrix"]["rows"]] == [r["subject_id"] for r in rest["rows"]]
    row = next(r for r in matrix["raciMatrix"]["rows"] if r["subjectId"] == goal["id"])
    assert {c["partyId"]: c["letters"] for c in row["cells"]} == {ann: ["R"], owner: ["A"]}


NESTED = """{ units(first: 40) { edges { node { id roles { id name }
  members { id roles { id name } responsibilities {
    roles { role { id } assignment { id unitId } }
    letters { letter subjectId via } } } } } } }"""


async def _org_of(client: httpx.AsyncClient, size: int) -> dict[str, str]:
    _org, h = await make_org(client, f"org of {size}")
    r = await client.post("/v1/sync/org-chart", json=payload(size, units=20, seed=5), headers=h, timeout=300)
    assert r.status_code == 200, r.text[:300]
    units = (await client.get("/v1/units", params={"limit": 200}, headers=h)).json()["data"]
    people = (await client.get("/v1/people", params={"limit": 10}, headers=h)).json()["data"]
    reviewer = await role(client, h, "Reviewer", unit_id=units[0]["id"])
    for i, u in enumerate(units):
        await entry(client, h, u["id"], u["id"], "R")  # each unit's members are R on it
        await entry(client, h, u["id"], reviewer, "C", inherit="append" if i == 0 else "none")
    for i, p in enumerate(people):
        await assign(client, h, reviewer, p["id"], **({"unit_id": units[1]["id"]} if i % 2 else {}))
    return h


async def test_person_responsibilities_runs_the_same_statements_for_10_and_1000_people(
    app: Any, client: httpx.AsyncClient
) -> None:
    counts = {}
    for size in (10, 1000):
        h = await _org_of(client, size)
        with counting_statements(app) as statements:
            data = await gql(client, NESTED, h)
        counts[size] = len(statements)
        members = [m for e in data["units"]["edges"] for m in e["node"]["members"]]
        assert len(members) == size
        assert all({"letter": "R", "subjectId": x["subjectId"], "via": "unit"} in m["responsibilities"]["letters"]
                   for m in members for x in m["responsibilities"]["letters"] if x["via"] == "unit")  # fmt: skip
        assert sum(1 for m in members if m["roles"]) == 10
        assert sum(1 for m in members if m["responsibilities"]["letters"]) == size
    print(f"SQL statements for the nested query with responsibilities: {counts}")
    assert counts[10] == counts[1000], counts
