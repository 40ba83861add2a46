"""`upsert…ByExternalRef` in GraphQL is REST's PUT …/by-external-ref: the first call creates, the next ones
update the same object (absent optional fields cleared), the body may repeat but not change the fields set
at creation, and the errors are REST's codes."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import make_org


async def gql(client: httpx.AsyncClient, h: dict[str, str], query: str, **variables: Any) -> dict[str, Any]:
    r = await client.post("/graphql", json={"query": query, "variables": variables}, headers=h)
    assert r.status_code == 200 and "errors" not in r.json(), r.text
    return dict(r.json()["data"])


ROLE = """mutation($input: CreateRoleInput!) { upsertRoleByExternalRef(system: "hr", externalId: "R-1", input: $input) {
  role { id name description version externalRefs } userErrors { field code } } }"""
ASSIGN = """mutation($input: CreateRoleAssignmentInput!) {
  upsertRoleAssignmentByExternalRef(system: "hr", externalId: "A-1", input: $input) {
  roleAssignment { id personId version } userErrors { field code } } }"""


async def test_an_upsert_creates_then_updates_the_same_role(client: httpx.AsyncClient) -> None:
    _, h = await make_org(client)
    first = (await gql(client, h, ROLE, input={"name": "Controller", "description": "Books"}))[
        "upsertRoleByExternalRef"
    ]
    assert first["userErrors"] == [] and first["role"]["externalRefs"] == {"hr": "R-1"}
    again = (await gql(client, h, ROLE, input={"name": "Chief controller"}))["upsertRoleByExternalRef"]
    assert again["role"]["id"] == first["role"]["id"] and again["role"]["version"] == 2
    assert again["role"]["name"] == "Chief controller" and again["role"]["description"] is None  # a replacement
    rest = (await client.get(f"/v1/roles/{first['role']['id']}", headers=h)).json()
    assert rest["name"] == "Chief controller" and rest["version"] == 2
    bad = (await gql(client, h, ROLE, input={"name": "", "externalRefs": {"hr": "R-2"}}))["upsertRoleByExternalRef"]
    assert bad["role"] is None and {e["field"] for e in bad["userErrors"]} == {"/external_refs/hr"}


async def test_an_upsert_may_repeat_a_fixed_field_but_not_change_it(client: httpx.AsyncClient) -> None:
    _, h = await make_org(client)
    role = (await client.post("/v1/roles", json={"name": "Owner"}, headers=h)).json()
    people = [
        (await client.post("/v1/people", json={"given_name": n, "family_name": "X", "email": f"{n}@x.test"}, headers=h)).json()
        for n in ("ada", "bob")
    ]  # fmt: skip
    made = await gql(client, h, ASSIGN, input={"roleId": role["id"], "personId": people[0]["id"]})
    assignment = made["upsertRoleAssignmentByExternalRef"]["roleAssignment"]
    same = await gql(client, h, ASSIGN, input={"roleId": role["id"], "personId": people[0]["id"]})
    assert same["upsertRoleAssignmentByExternalRef"]["roleAssignment"]["id"] == assignment["id"]
    moved = await gql(client, h, ASSIGN, input={"roleId": role["id"], "personId": people[1]["id"]})
    assert moved["upsertRoleAssignmentByExternalRef"] == {
        "roleAssignment": None, "userErrors": [{"field": "/person_id", "code": "read_only"}]}  # fmt: skip
    r = await client.put(
        "/v1/role-assignments/by-external-ref/hr/A-1", json={"role_id": role["id"], "person_id": people[1]["id"]},
        headers=h,
    )  # fmt: skip
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "read_only", r.text


async def test_an_upsert_clears_what_it_nulls_as_rest_put_does(client: httpx.AsyncClient) -> None:
    """A review found GraphQL's upsert dropping nulls (the parent and the title kept) where REST's PUT clears."""
    _, h = await make_org(client)
    parent = (await client.post("/v1/units", json={"name": "P", "kind": "division"}, headers=h)).json()
    unit_q = """mutation($input: CreateUnitInput!) { upsertUnitByExternalRef(system: "erp", externalId: "U-1",
      input: $input) { unit { parentId version } userErrors { code } } }"""
    made = await gql(client, h, unit_q, input={"name": "U", "kind": "team", "parentId": parent["id"]})
    assert made["upsertUnitByExternalRef"]["unit"]["parentId"] == parent["id"]
    for given in ({"name": "U", "kind": "team", "parentId": None}, {"name": "U", "kind": "team"}):
        again = (await gql(client, h, unit_q, input=given))["upsertUnitByExternalRef"]
        assert again["unit"]["parentId"] is None and again["userErrors"] == [], again
    person_q = """mutation($input: CreatePersonInput!) { upsertPersonByExternalRef(system: "hr", externalId: "P-1",
      input: $input) { person { title } userErrors { code } } }"""
    ada = {"givenName": "Ada", "familyName": "L", "email": "ada@x.test"}
    assert (await gql(client, h, person_q, input={**ada, "title": "CFO"}))["upsertPersonByExternalRef"]["person"] == {
        "title": "CFO"}  # fmt: skip
    cleared = (await gql(client, h, person_q, input={**ada, "title": None}))["upsertPersonByExternalRef"]
    rest = (await client.put("/v1/people/by-external-ref/hr/P-1", json={"given_name": "Ada", "family_name": "L",
                             "email": "ada@x.test", "title": "CFO"}, headers=h)).json()  # fmt: skip
    assert cleared["person"] == {"title": None} and rest["title"] == "CFO"


async def test_a_null_where_a_default_stands_is_refused_as_rest_refuses_it(client: httpx.AsyncClient) -> None:
    _, h = await make_org(client)
    unit = (await client.post("/v1/units", json={"name": "U", "kind": "team"}, headers=h)).json()
    person = (await client.post("/v1/people", json={"given_name": "A", "family_name": "B", "email": "a@b.test"},
                                headers=h)).json()  # fmt: skip
    body = {"person_id": person["id"], "unit_id": unit["id"]}
    for name, null in (("kind", "kind: null"), ("primary", "primary: null")):
        rest = await client.post("/v1/memberships", json={**body, name: None}, headers=h)
        assert rest.status_code == 422, rest.text
        r = await client.post("/graphql", headers=h, json={"query": f'mutation {{ createMembership(input: {{personId: '
                              f'"{person["id"]}", unitId: "{unit["id"]}", {null}}}) {{ membership {{ id }} }} }}'})  # fmt: skip
        assert r.json().get("errors") and not (r.json().get("data") or {}).get("createMembership"), r.text
    listed = (await client.get("/v1/memberships", headers=h)).json()["data"]
    assert listed == []


def _emails(body: dict[str, Any], transport: str) -> dict[str, Any]:
    """A person's email per transport (emails are unique in an organization)."""
    return {k: v.replace("{path}", transport) if isinstance(v, str) else v for k, v in body.items()}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


async def test_an_upsert_leaves_the_object_as_rest_put_leaves_it(client: httpx.AsyncClient) -> None:
    """A second upsert without the fields that have a default resets them as REST's PUT does (links, a
    role's responsibilities, a key result's weight and cadence, a RACI entry's inheritance): the review found
    GraphQL keeping them. What a PUT that leaves it out keeps (an objective's status, a handoff's priority)
    stays. Each case runs through both transports and the objects must agree."""
    _, h = await make_org(client)
    unit = (await client.post("/v1/units", json={"name": "Ops", "kind": "team"}, headers=h)).json()
    other = (await client.post("/v1/units", json={"name": "Sales", "kind": "team"}, headers=h)).json()
    objective = (await client.post("/v1/objectives", headers=h, json={
        "title": "Grow", "owner_unit_id": unit["id"], "period_start": "2026-01-01", "period_end": "2026-03-31"})).json()  # fmt: skip
    link = [{"title": "Doc", "url": "https://docs.example.com/a", "kind": "document"}]
    cases = [
        ("units", "Unit", "unit", {"name": "U", "kind": "team", "links": link}, {"name": "U", "kind": "team"}),
        ("roles", "Role", "role", {"name": "R", "responsibilities": ["Close the month"]}, {"name": "R"}),
        ("people", "Person", "person",  # a feed without statuses does not bring back who left
         {"given_name": "A", "family_name": "B", "email": "{path}@example.com", "status": "inactive"},
         {"given_name": "A", "family_name": "B", "email": "{path}@example.com"}),
        ("key-results", "KeyResult", "keyResult",
         {"objective_id": objective["id"], "title": "K", "target_value": 5, "weight": 3, "check_in_cadence": "monthly"},
         {"objective_id": objective["id"], "title": "K", "target_value": 5}),
        ("objectives", "Objective", "objective",
         {"title": "O", "owner_unit_id": unit["id"], "period_start": "2026-01-01", "period_end": "2026-03-31",
          "status": "active", "alignment_weight": 2, "links": link},
         {"title": "O", "owner_unit_id": unit["id"], "period_start": "2026-01-01", "period_end": "2026-03-31"}),
        ("handoffs", "Handoff", "handoff",
         {"title": "H", "from_unit_id": unit["id"], "to_unit_id": other["id"], "priority": "high", "links": link},
         {"title": "H", "from_unit_id": unit["id"], "to_unit_id": other["id"]}),
        ("raci", "RaciEntry", "raciEntry",
         {"subject_type": "unit", "subject_id": unit["id"], "party_type": "unit", "party_id": unit["id"], "letter": "I",
          "inherit": "append"},
         {"subject_type": "unit", "subject_id": unit["id"], "party_type": "unit", "party_id": unit["id"], "letter": "I"}),
    ]  # fmt: skip
    for path, type_name, field, first, second in cases:
        rest = None
        for body in (_emails(first, "rest"), _emails(second, "rest")):
            r = await client.put(f"/v1/{path}/by-external-ref/hr/rest-{path}", json=body, headers=h)
            assert r.status_code in (200, 201), (path, r.text)
            rest = r.json()
        mutation = f"""mutation($input: Create{type_name}Input!) {{ upsert{type_name}ByExternalRef(system: "hr",
          externalId: "gql-{path}", input: $input) {{ {field} {{ id }} userErrors {{ field code }} }} }}"""
        for body in (first, second):
            body = _emails({**body, "party_id": other["id"]} if path == "raci" else body, "gql")  # one each
            answer = await gql(client, h, mutation, input={_camel(k): v for k, v in body.items()})
            made = answer[f"upsert{type_name}ByExternalRef"]
            assert made["userErrors"] == [], (path, made)
        gql_object = (await client.get(f"/v1/{path}/{made[field]['id']}", headers=h)).json()
        skip = {"id", "created_at", "updated_at", "external_refs", "version", "subject_id", "party_id", "history",
                "email"}  # fmt: skip
        assert rest is not None
        assert {k: v for k, v in gql_object.items() if k not in skip} == {
            k: v for k, v in rest.items() if k not in skip}, path  # fmt: skip
        if path == "people":
            assert rest["status"] == gql_object["status"] == "inactive"


async def test_a_wrong_value_on_a_fixed_field_is_invalid_not_read_only(client: httpx.AsyncClient) -> None:
    _, h = await make_org(client)
    unit = (await client.post("/v1/units", json={"name": "Ops", "kind": "team"}, headers=h)).json()
    body = {
        "subject_type": "unit",
        "subject_id": unit["id"],
        "party_type": "unit",
        "party_id": unit["id"],
        "letter": "I",
    }
    assert (await client.put("/v1/raci/by-external-ref/hr/E-1", json=body, headers=h)).status_code == 201
    for bad in ({"subject_type": "role"}, {"party_type": "galaxy"}):
        rest = await client.put("/v1/raci/by-external-ref/hr/E-1", json={**body, **bad}, headers=h)
        name = next(iter(bad))
        assert (rest.status_code, rest.json()["errors"][0]["code"]) == (422, "invalid"), rest.text
        answer = await gql(client, h, """mutation($input: CreateRaciEntryInput!) { upsertRaciEntryByExternalRef(
          system: "hr", externalId: "E-1", input: $input) { raciEntry { id } userErrors { field code } } }""",
                           input={_camel(k): v for k, v in {**body, **bad}.items()})  # fmt: skip
        assert answer["upsertRaciEntryByExternalRef"]["userErrors"] == [{"field": f"/{name}", "code": "invalid"}]
