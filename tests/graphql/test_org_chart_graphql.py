"""GraphQL over the org chart: the same answers as REST, mutations with userErrors, asOf, and a nested
query whose number of SQL statements does not grow with the organization."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.test_org_chart import instant, person, unit
from tests.api.test_sync import payload
from tests.factories import make_org
from tests.sqlcount import counting_statements

UNIT_FIELDS = "id name kind parentId leadPersonId externalRefs links createdAt updatedAt version"
PERSON_FIELDS = (
    "id givenName familyName email userName title department managerId status externalRefs createdAt updatedAt version"
)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


async def gql(client: httpx.AsyncClient, query: str, h: dict[str, str], **variables: Any) -> dict[str, Any]:
    r = await client.post("/graphql", json={"query": query, "variables": variables}, headers=h)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert "errors" not in body, body
    return body["data"]


async def test_rest_and_graphql_give_the_same_answers(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    co = await unit(client, h, "Co", kind="company", external_refs={"sap": "1"})
    sales = await unit(client, h, "Sales", co["id"])
    boss = await person(client, h, "Boss")
    ada = await person(client, h, "Ada", boss["id"], title="Engineer")
    await client.post(
        "/v1/memberships", json={"person_id": ada["id"], "unit_id": sales["id"], "primary": True}, headers=h
    )
    data = await gql(
        client,
        f"""query($u: ID!, $p: ID!) {{
        unit(id: $u) {{ {UNIT_FIELDS} children {{ id }} ancestors {{ id }} members {{ id }} }}
        person(id: $p) {{ {PERSON_FIELDS} manager {{ id }} reports {{ id }} units {{ id }} memberships {{ id unitId primary }} }}
        units(first: 10) {{ edges {{ node {{ id }} }} pageInfo {{ hasNextPage }} }}
        people(first: 1) {{ edges {{ node {{ id }} cursor }} pageInfo {{ hasNextPage endCursor }} }}
    }}""",
        h,
        u=sales["id"],
        p=ada["id"],
    )
    rest_unit = (await client.get(f"/v1/units/{sales['id']}", headers=h)).json()
    assert {k: data["unit"][camel(k)] for k in rest_unit} == rest_unit
    rest_person = (await client.get(f"/v1/people/{ada['id']}", headers=h)).json()
    assert {k: data["person"][camel(k)] for k in rest_person} == rest_person
    assert data["unit"]["ancestors"] == [{"id": co["id"]}]
    assert data["unit"]["members"] == [{"id": ada["id"]}]
    assert data["person"]["manager"] == {"id": boss["id"]}
    assert data["person"]["units"] == [{"id": sales["id"]}]
    rest_units = [u["id"] for u in (await client.get("/v1/units", headers=h)).json()["data"]]
    assert [e["node"]["id"] for e in data["units"]["edges"]] == rest_units
    first_page = (await client.get("/v1/people", params={"limit": 1}, headers=h)).json()
    assert data["people"]["pageInfo"] == {"hasNextPage": True, "endCursor": first_page["next_cursor"]}
    nxt = await gql(
        client,
        "query($a: String) { people(first: 1, after: $a) { edges { node { id } } } }",
        h,
        a=data["people"]["pageInfo"]["endCursor"],
    )
    rest_next = (
        await client.get("/v1/people", params={"limit": 1, "cursor": first_page["next_cursor"]}, headers=h)
    ).json()
    assert [e["node"]["id"] for e in nxt["people"]["edges"]] == [p["id"] for p in rest_next["data"]]
    node = await gql(client, "query($id: ID!) { node(id: $id) { id ... on Unit { name } } }", h, id=sales["id"])
    assert node["node"] == {"id": sales["id"], "name": "Sales"}


async def test_mutations_answer_user_errors(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    created = await gql(
        client,
        """mutation { createUnit(input: {name: "Co", kind: "company"}) {
        unit { id name } userErrors { field message code } } }""",
        h,
    )
    co = created["createUnit"]["unit"]
    assert created["createUnit"]["userErrors"] == [] and co["name"] == "Co"
    child = (
        await gql(
            client,
            """mutation($p: ID!) { createUnit(input: {name: "Sales", kind: "department", parentId: $p}) {
        unit { id parent { id } } userErrors { code } } }""",
            h,
            p=co["id"],
        )
    )["createUnit"]["unit"]
    assert child["parent"] == {"id": co["id"]}
    cycle = await gql(
        client,
        """mutation($id: ID!, $p: ID!) { updateUnit(id: $id, input: {parentId: $p}) {
        unit { id } userErrors { field message code } } }""",
        h,
        id=co["id"],
        p=child["id"],
    )
    assert cycle["updateUnit"]["unit"] is None and cycle["updateUnit"]["userErrors"][0]["code"] == "conflict"
    bad = await gql(
        client,
        """mutation { createUnit(input: {name: "", kind: "galaxy"}) {
        unit { id } userErrors { field code } } }""",
        h,
    )
    assert {e["field"] for e in bad["createUnit"]["userErrors"]} == {"/name", "/kind"}
    renamed = await gql(
        client,
        """mutation($id: ID!) { updateUnit(id: $id, input: {name: "Sales EMEA"}, ifMatchVersion: 1) {
        unit { name version parentId } userErrors { code } } }""",
        h,
        id=child["id"],
    )
    assert renamed["updateUnit"]["unit"] == {"name": "Sales EMEA", "version": 2, "parentId": co["id"]}
    stale = await gql(
        client,
        """mutation($id: ID!) { updateUnit(id: $id, input: {name: "X"}, ifMatchVersion: 1) {
        unit { name } userErrors { code } } }""",
        h,
        id=child["id"],
    )
    assert stale["updateUnit"]["userErrors"][0]["code"] == "precondition-failed"
    p = (
        await gql(
            client,
            """mutation { createPerson(input: {givenName: "Ada", familyName: "L", email: "ada@x.test"}) {
        person { id status } userErrors { code } } }""",
            h,
        )
    )["createPerson"]["person"]
    m = await gql(
        client,
        """mutation($p: ID!, $u: ID!) { createMembership(input: {personId: $p, unitId: $u, primary: true}) {
        membership { id primary unit { name } } userErrors { code } } }""",
        h,
        p=p["id"],
        u=child["id"],
    )
    assert m["createMembership"]["membership"]["unit"] == {"name": "Sales EMEA"}
    gone = await gql(
        client,
        """mutation($id: ID!) { deactivatePerson(id: $id) { person { status } userErrors { code } } }""",
        h,
        id=p["id"],
    )
    assert gone["deactivatePerson"]["person"] == {"status": "inactive"}
    rest = (await client.get(f"/v1/people/{p['id']}", headers=h)).json()
    assert rest["status"] == "inactive"
    types = [e["type"] for e in (await client.get("/v1/events", headers=h)).json()["data"]]
    assert types.count("unit.created") == 2 and "person.deactivated" in types and "membership.created" in types


async def test_as_of_in_graphql(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    co = await unit(client, h, "Co", kind="company")
    a, b = await unit(client, h, "A", co["id"]), await unit(client, h, "B", co["id"])
    team = await unit(client, h, "Team", a["id"], kind="team")
    before = instant()
    await client.patch(f"/v1/units/{team['id']}", json={"parent_id": b["id"]}, headers=h)
    q = "query($id: ID!, $at: DateTime) { unit(id: $id, asOf: $at) { parent { name children { name } } } }"
    then = await gql(client, q, h, id=team["id"], at=before)
    now = await gql(client, q, h, id=team["id"], at=None)
    assert then["unit"]["parent"] == {"name": "A", "children": [{"name": "Team"}]}
    assert now["unit"]["parent"] == {"name": "B", "children": [{"name": "Team"}]}


NESTED = """{ units(first: 200) { edges { node {
    id name parent { id } children { id name } ancestors { id } lead { id }
    members { id email manager { id email } reports { id } memberships { id unit { id name } } units { id } }
} } } }"""


async def count_statements(app: Any, client: httpx.AsyncClient, h: dict[str, str]) -> tuple[int, dict[str, Any]]:
    with counting_statements(app) as statements:
        r = await client.post("/graphql", json={"query": NESTED}, headers=h, timeout=120)
    assert r.status_code == 200 and "errors" not in r.json(), r.text[:500]
    return len(statements), r.json()["data"]


async def test_nested_query_runs_the_same_statements_for_10_and_5000_people(
    app: Any, client: httpx.AsyncClient
) -> None:
    counts = {}
    for size in (10, 5000):
        _org, h = await make_org(client, f"org of {size}")
        r = await client.post("/v1/sync/org-chart", json=payload(size, units=40, seed=3), headers=h, timeout=300)
        assert r.status_code == 200, r.text[:300]
        await client.get("/v1/units", headers=h)  # the first request of a token's organization looks it up
        counts[size], data = await count_statements(app, client, h)
        members = sum(len(e["node"]["members"]) for e in data["units"]["edges"])
        assert members == size
    print(f"SQL statements for the nested query: {counts}")
    assert counts[10] == counts[5000], counts
    assert counts[10] < 40, counts
