"""GraphQL query cost: computed before the query runs, from `first` (written, a variable, or the schema's
default) and the declared list sizes, through fragments; a query over the maximum is refused before any
SQL runs; every answer reports its cost in `extensions.cost`."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from graphql import parse
from strawberry.extensions import ValidationCache

from app.graphql.cost import DEFAULT_FIRST, LIST_SIZES, MUTATION_WEIGHT, operation_cost
from app.graphql.schema import build_schema
from app.main import create_app
from app.settings import Settings
from tests.api.test_sync import payload
from tests.conftest import empty_tables, make_settings
from tests.factories import bearer, make_org
from tests.graphql.test_org_chart_graphql import NESTED
from tests.sqlcount import counting_statements

MAX = Settings.model_fields["graphql_max_cost"].default

# Declared sizes the hand computations below use; a change to LIST_SIZES shows here first.
MEMBERS, CHILDREN, ANCESTORS, REPORTS = 20, 10, 10, 10
PERSON_UNITS, PERSON_MEMBERSHIPS, USER_ERRORS = 3, 3, 3

ATTACK = (
    "{ people(first: 200) { edges { node { units { members { units { members { units { members { id } } } } } } } } } }"
)

# Inside out: members{id} = 1 + 20*1; units{..} = 1 + 3*that; and so on up to node, edges and people(first: 200).
_members = 1 + MEMBERS * 1
_units = 1 + PERSON_UNITS * _members
_members = 1 + MEMBERS * _units
_units = 1 + PERSON_UNITS * _members
_members = 1 + MEMBERS * _units
_units = 1 + PERSON_UNITS * _members
ATTACK_COST = 1 + 200 * (1 + (1 + _units))  # people + 200 x (edges + node + units...)

# NESTED (the org chart test's nested read), one member of a unit: id, email, manager{id email},
# reports{id}, memberships{id unit{id name}}, units{id}.
_member = 1 + 1 + (1 + 2) + (1 + REPORTS * 1) + (1 + PERSON_MEMBERSHIPS * (1 + (1 + 2))) + (1 + PERSON_UNITS * 1)
# One unit: id, name, parent{id}, children{id name}, ancestors{id}, lead{id}, members{...}.
_unit = 1 + 1 + (1 + 1) + (1 + CHILDREN * 2) + (1 + ANCESTORS * 1) + (1 + 1) + (1 + MEMBERS * _member)
NESTED_COST = 1 + 200 * (1 + (1 + _unit))  # units(first: 200) x (edges + node + the unit's fields)


async def post(client: httpx.AsyncClient, query: str, h: dict[str, str], **variables: Any) -> dict[str, Any]:
    r = await client.post("/graphql", json={"query": query, "variables": variables}, headers=h)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def seeded_org(client: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    """An organization with people in units, and an admin's headers."""
    org, h = await make_org(client)
    r = await client.post("/v1/sync/org-chart", json=payload(12, units=4, seed=5), headers=h)
    assert r.status_code == 200, r.text[:300]
    return org, h


def refused(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("data") is None, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY", body
    return error  # type: ignore[no-any-return]


def test_the_hand_computations_use_the_declared_sizes() -> None:
    declared = {
        "Unit.members": MEMBERS,
        "Unit.children": CHILDREN,
        "Unit.ancestors": ANCESTORS,
        "Person.reports": REPORTS,
        "Person.units": PERSON_UNITS,
        "Person.memberships": PERSON_MEMBERSHIPS,
        "UnitPayload.userErrors": USER_ERRORS,
    }
    assert {k: LIST_SIZES[k] for k in declared} == declared
    assert NESTED_COST == 140_201 and ATTACK_COST == 46_129_201
    assert NESTED_COST <= MAX < ATTACK_COST // 100  # the ordinary read fits; the attack is refused by 100x


def test_the_attack_is_costed_in_milliseconds() -> None:
    schema = build_schema()._schema
    document = parse(ATTACK)
    started = time.perf_counter()
    cost = operation_cost(schema, document)
    assert time.perf_counter() - started < 0.05
    assert cost == ATTACK_COST


async def test_the_attack_is_refused_before_any_sql_runs(app: Any, client: httpx.AsyncClient) -> None:
    org, _h = await seeded_org(client)
    reader = bearer(org, "org:read")
    with counting_statements(app) as statements:
        body = await post(client, ATTACK, reader)
    error = refused(body)
    assert statements == []
    assert str(ATTACK_COST) in error["message"] and str(MAX) in error["message"]
    assert body["extensions"]["cost"] == {"requestedQueryCost": ATTACK_COST, "maximum": MAX}
    # The same query, a page of one, under a maximum that admits it: it runs, and runs SQL (so the count
    # above would have seen it).
    one = ATTACK.replace("first: 200", "first: 1")
    roomy = create_app(make_settings(app.state.settings.database_url, graphql_max_cost=ATTACK_COST))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=roomy), base_url="http://t") as c:
            with counting_statements(roomy) as statements:
                answered = await post(c, one, reader)
        assert "errors" not in answered, answered
        assert len(answered["data"]["people"]["edges"]) == 1
        assert statements, "counting_statements saw no statement for a query that ran: it is blind"
    finally:
        await roomy.state.db.dispose()


async def test_the_nested_read_answers_and_reports_its_cost(client: httpx.AsyncClient) -> None:
    org, _h = await seeded_org(client)
    body = await post(client, NESTED, bearer(org, "org:read"))
    assert "errors" not in body, body
    assert len(body["data"]["units"]["edges"]) == 4
    assert body["extensions"]["cost"] == {"requestedQueryCost": NESTED_COST, "maximum": MAX}


async def test_a_small_read_costs_its_hand_computation(client: httpx.AsyncClient) -> None:
    org, _h = await seeded_org(client)
    query = """{ units(first: 10) { edges { node { id name children { id } members { id reports { id } } } }
        pageInfo { hasNextPage } } viewer { scopes organization { id } } }"""
    members = 1 + MEMBERS * (1 + (1 + REPORTS * 1))  # members x (id + reports x id)
    node = 1 + (1 + 1 + (1 + CHILDREN * 1) + members)
    units = 1 + 10 * ((1 + node) + (1 + 1))  # first x (edges{node} + pageInfo{hasNextPage})
    viewer = 1 + (1 + (1 + 1))  # scopes, organization{id}
    body = await post(client, query, bearer(org, "org:read"))
    assert "errors" not in body, body
    assert body["extensions"]["cost"]["requestedQueryCost"] == units + viewer == 2_585


async def test_variables_and_fragments_are_costed(client: httpx.AsyncClient) -> None:
    org, _h = await seeded_org(client)
    reader = bearer(org, "org:read")
    per_person = 1 + (1 + (1 + (1 + PERSON_UNITS * (1 + MEMBERS * 1))))  # edges{node{id units{members{id}}}}
    inline = "query($n: Int!) { people(first: $n) { edges { node { id units { members { id } } } } } }"
    named = """query($n: Int!) { people(first: $n) { edges { node { ...P } } } }
        fragment P on Person { id ...U }
        fragment U on Person { units { members { id } } }"""
    typed = "query($n: Int!) { people(first: $n) { edges { node { ... on Person { id units { members { id } } } } } } }"
    for query in (inline, named, typed):
        small = await post(client, query, reader, n=1)
        assert "errors" not in small, small
        assert small["extensions"]["cost"]["requestedQueryCost"] == 1 + 1 * per_person
        huge = await post(client, query, reader, n=10**6)
        error = refused(huge)
        assert huge["extensions"]["cost"]["requestedQueryCost"] == 1 + 10**6 * per_person
        assert str(1 + 10**6 * per_person) in error["message"]
        # The same text again, now parsed and validated from the caches: still costed with its own variables.
        again = await post(client, query, reader, n=2)
        assert again["extensions"]["cost"]["requestedQueryCost"] == 1 + 2 * per_person
    # A variable's default in the operation, and the field's default in the schema when `first` is absent.
    defaulted = await post(client, "query($n: Int! = 7) { people(first: $n) { edges { node { id } } } }", reader)
    assert defaulted["extensions"]["cost"]["requestedQueryCost"] == 1 + 7 * 3
    absent = await post(client, "{ people { edges { node { id } } } }", reader)
    assert absent["extensions"]["cost"]["requestedQueryCost"] == 1 + DEFAULT_FIRST * 3
    # On an interface, the costliest of the types the fragments select.
    node = """query($id: ID!) { node(id: $id) { id
        ... on Unit { members { id } } ... on Person { units { id } } } }"""
    body = await post(client, node, reader, id="unit_nope")
    assert body["data"] == {"node": None}
    assert body["extensions"]["cost"]["requestedQueryCost"] == 1 + (1 + (1 + MEMBERS))
    # A field left out by @include(if: false) costs nothing.
    skipped = await post(
        client,
        "query($deep: Boolean!) { viewer { scopes organization @include(if: $deep) { id } } }",
        reader,
        deep=False,
    )
    assert skipped["extensions"]["cost"]["requestedQueryCost"] == 1 + 1
    # Costs are kept by query text and the variables the costing reads: the same text with the flag
    # turned, a default left out then given, each costed anew; other variables change nothing.
    flag = "query($deep: Boolean!, $x: ID!) { node(id: $x) { id } viewer { scopes organization @include(if: $deep) { id } } }"
    for deep, x, cost in ((False, "a", 4), (True, "a", 6), (False, "b", 4), (True, "b", 6)):
        body = await post(client, flag, reader, deep=deep, x=x)
        assert body["extensions"]["cost"]["requestedQueryCost"] == cost, (deep, x, body)
    paged = "query($n: Int = 3) { people(first: $n) { edges { node { id } } } }"
    assert (await post(client, paged, reader))["extensions"]["cost"]["requestedQueryCost"] == 1 + 3 * 3
    assert (await post(client, paged, reader, n=5))["extensions"]["cost"]["requestedQueryCost"] == 1 + 5 * 3
    assert (await post(client, paged, reader))["extensions"]["cost"]["requestedQueryCost"] == 1 + 3 * 3


MUTATION = """mutation {
    a: createUnit(input: {name: "A", kind: "company"}) { unit { id name } userErrors { field message code } }
    b: createUnit(input: {name: "B", kind: "company"}) { unit { id } userErrors { code } }
    c: createUnit(input: {name: "", kind: "galaxy"}) { userErrors { field } }
}"""
MUTATION_COST = (
    (MUTATION_WEIGHT + (1 + 2) + (1 + USER_ERRORS * 3))
    + (MUTATION_WEIGHT + (1 + 1) + (1 + USER_ERRORS * 1))
    + (MUTATION_WEIGHT + (1 + USER_ERRORS * 1))
)


async def test_a_mutation_with_aliased_fields_is_costed(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    body = await post(client, MUTATION, h)
    assert "errors" not in body, body
    assert body["data"]["a"]["unit"]["name"] == "A" and body["data"]["b"]["unit"]["id"]
    assert body["data"]["c"]["userErrors"]
    assert body["extensions"]["cost"] == {"requestedQueryCost": MUTATION_COST, "maximum": MAX}
    assert MUTATION_COST == 53


async def test_a_costly_mutation_is_refused_before_it_writes(database_url: str) -> None:
    app = create_app(make_settings(database_url, graphql_max_cost=MUTATION_COST - 1))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            _org, h = await make_org(c)
            await c.get("/v1/units", headers=h)  # the first request of a token's organization looks it up
            with counting_statements(app) as statements:
                body = await post(c, MUTATION, h)
            error = refused(body)
            assert statements == []
            assert error["message"].startswith(
                f"Query cost {MUTATION_COST} exceeds the maximum cost of {MUTATION_COST - 1}"
            )
            assert body["extensions"]["cost"] == {"requestedQueryCost": MUTATION_COST, "maximum": MUTATION_COST - 1}
            units = await post(c, "{ units(first: 1) { edges { node { id } } } }", h)  # costs 1 + 1 x 3
            assert units["data"]["units"]["edges"] == []
    finally:
        await app.state.db.dispose()
        await empty_tables(database_url)


async def test_every_answer_reports_its_cost(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    ok = await post(client, "{ viewer { scopes } }", h)
    assert ok == {
        "data": {"viewer": {"scopes": ["admin"]}},
        "extensions": {"cost": {"requestedQueryCost": 2, "maximum": MAX}},
    }
    # Refused before it could be costed (a syntax or validation error): the cost is unknown.
    for broken in ("{ viewer { scopes ", "{ viewer { nope } }"):
        body = await post(client, broken, h)
        assert body["errors"] and body["extensions"]["cost"] == {"requestedQueryCost": None, "maximum": MAX}


async def test_the_caches_keep_the_limits_and_do_hit(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    validated = ValidationCache(maxsize=256).cached_validate_document  # the cache build_schema's instances share
    aliases = "{ " + " ".join(f"a{i}: viewer {{ scopes }}" for i in range(40)) + " }"
    deep = "{ " + "viewer { organization { id } } " + "}"
    for _ in range(2):
        assert "aliases" in (await post(client, aliases, h))["errors"][0]["message"].lower()
        tokens = "{ " + " ".join("viewer { scopes }" for _ in range(800)) + " }"
        assert "token" in (await post(client, tokens, h))["errors"][0]["message"].lower()
        assert "errors" not in await post(client, deep, h)
    before = validated.cache_info().hits
    for _ in range(3):
        assert "errors" not in await post(client, deep, h)
    assert validated.cache_info().hits - before == 3


@pytest.mark.parametrize("value", ["1234", None])
def test_the_maximum_is_a_setting(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("LIAISON_GRAPHQL_MAX_COST", raising=False)
        assert Settings(_env_file=None).graphql_max_cost == MAX == 200_000  # type: ignore[call-arg]
    else:
        monkeypatch.setenv("LIAISON_GRAPHQL_MAX_COST", value)
        assert Settings(_env_file=None).graphql_max_cost == 1234  # type: ignore[call-arg]


@pytest.mark.parametrize("first", [2**31, 2**63 - 1, 2**70, 1e30, 1e308])
async def test_a_page_size_beyond_graphql_s_int_is_refused_not_a_500(client: httpx.AsyncClient, first: Any) -> None:
    """A review found `first` = 2**63 - 1 as a variable answered 500: the cost was computed from it before its
    type was checked, and the answer could not be written. It is GraphQL's Int error, with a code."""
    _, h = await make_org(client)
    query = "query($n: Int) { units(first: $n) { edges { node { id } } } }"
    r = await client.post("/graphql", json={"query": query, "variables": {"n": first}}, headers=h)
    assert r.status_code < 500, r.text
    assert [e["extensions"]["code"] for e in r.json()["errors"]] == ["BAD_USER_INPUT"], r.text


async def test_nested_pages_of_the_largest_int_cost_a_number_every_client_reads(client: httpx.AsyncClient) -> None:
    _, h = await make_org(client)
    big = 2**31 - 1
    query = f"{{ units(first: {big}) {{ edges {{ node {{ children {{ members {{ id }} }} }} }} }} }}"
    r = await client.post("/graphql", json={"query": query}, headers=h)
    assert r.status_code < 500, r.text
    assert r.json()["extensions"]["cost"]["requestedQueryCost"] <= 2**53
    assert r.json()["errors"], r.text


async def test_a_query_first_asked_without_its_variable_is_costed_by_it_later(client: httpx.AsyncClient) -> None:
    """A review found the cache keeping a query's cost without the variable when it was first asked with
    none: `$f` was then never read again, and every page size cost the same."""
    _, h = await make_org(client)
    query = "query($f: Int) { units(first: $f) { edges { node { id children { id } } } } }"
    costs = []
    for variables in ({}, {"f": 1}, {"f": 200}):
        r = await client.post("/graphql", json={"query": query, "variables": variables}, headers=h)
        costs.append(r.json()["extensions"]["cost"]["requestedQueryCost"])
    assert costs[1] < costs[0] < costs[2], costs


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{ units(first: 1 ", {}, "GRAPHQL_PARSE_FAILED"),
        ("{ nosuchfield }", {}, "GRAPHQL_VALIDATION_FAILED"),
        ("query($x: Int) { units { edges { node { id } } } }", {}, "GRAPHQL_VALIDATION_FAILED"),  # never used
        ("query { units(first: $x) { edges { node { id } } } }", {}, "GRAPHQL_VALIDATION_FAILED"),  # not defined
        ("query($x: String) { units(first: $x) { edges { node { id } } } }", {}, "GRAPHQL_VALIDATION_FAILED"),
        ("query($x: Int!) { units(first: $x) { edges { node { id } } } }", {}, "BAD_USER_INPUT"),  # not provided
        ("query($x: Int!) { units(first: $x) { edges { node { id } } } }", {"x": None}, "BAD_USER_INPUT"),
        ("query($x: Int) { units(first: $x) { edges { node { id } } } }", {"x": "ten"}, "BAD_USER_INPUT"),
        ("{ units(first: " + "1" * 4301 + ") { edges { node { id } } } }", {}, "BAD_USER_INPUT"),
    ],
)
async def test_every_error_in_the_request_itself_has_its_code(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], code: str
) -> None:
    _, h = await make_org(client)
    r = await client.post("/graphql", json={"query": query, "variables": variables}, headers=h)
    assert r.status_code < 500, r.text
    assert [e.get("extensions", {}).get("code") for e in r.json()["errors"]] == [code], r.text
