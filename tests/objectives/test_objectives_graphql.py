"""GraphQL and REST over one service: the same fields with the same values, the same error codes for the
same bad input (a table generated from the declaration), and a tree read whose statement count does not
grow with the number of objectives."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from app.domain.fields import Field
from app.domain.ids import new_id
from app.domain.objectives.model import KEY_RESULT_FIELDS, OBJECTIVE_FIELDS, KeyResult, Objective
from tests.factories import make_org
from tests.objectives.helpers import check_in, get, key_result, objective, unit
from tests.sqlcount import counting_statements


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


async def _graphql(client: httpx.AsyncClient, h: dict[str, str], query: str, **variables: Any) -> dict[str, Any]:
    r = await client.post("/graphql", json={"query": query, "variables": variables}, headers=h)
    body = r.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def test_rest_and_graphql_agree_field_for_field(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    u = await unit(client, h, "Sales")
    top = await objective(client, h, u, title="Top", contributor_unit_ids=[u], description="Why\nand how")
    o = await objective(
        client,
        h,
        u,
        parent_id=top["id"],
        alignment_weight=2.5,
        links=[{"title": "Plan", "url": "https://docs.example.com/p", "kind": "document"}],
        external_refs={"okr": "O-1"},
    )
    kr = await key_result(client, h, o["id"], 20, start_value=100, unit="tickets", check_in_cadence="weekly")
    chk = await check_in(client, h, kr["id"], 60, confidence=0.5, note="Halfway")
    for kind, rest_path, obj in (
        ("objective", "/v1/objectives/", o),
        ("keyResult", "/v1/key-results/", kr),
        ("checkIn", "/v1/check-ins/", chk),
    ):
        rest = await get(client, h, rest_path + obj["id"])
        fields = " ".join(_camel(k) for k in rest)
        data = await _graphql(client, h, f"query($id: ID!) {{ {kind}(id: $id) {{ {fields} }} }}", id=obj["id"])
        assert {k: data[kind][_camel(k)] for k in rest} == rest, kind
    # the relations resolve to the same objects
    answer = await _graphql(
        client,
        h,
        """query($id: ID!) { objective(id: $id) { parent { id } ownerUnit { id } contributors { id }
           keyResults { id checkIns { id } } checkIns { id note } progressExplained { progress inputs { id share } } } }""",
        id=o["id"],
    )
    data = answer["objective"]
    assert data["parent"] == {"id": top["id"]} and data["ownerUnit"] == {"id": u}
    assert data["keyResults"] == [{"id": kr["id"], "checkIns": [{"id": chk["id"]}]}]
    assert data["checkIns"] == [{"id": chk["id"], "note": "Halfway"}]
    rest_explained = await get(client, h, f"/v1/objectives/{o['id']}/progress")
    assert data["progressExplained"]["progress"] == rest_explained["progress"]
    assert [(i["id"], i["share"]) for i in data["progressExplained"]["inputs"]] == [
        (i["id"], i["share"]) for i in rest_explained["inputs"]
    ]
    top_data = await _graphql(
        client, h, "query($id: ID!) { objective(id: $id) { children { id } contributors { id } } }", id=top["id"]
    )
    assert top_data["objective"] == {"children": [{"id": o["id"]}], "contributors": [{"id": u}]}
    owned = await _graphql(client, h, "query($id: ID!) { unit(id: $id) { objectives { id } } }", id=u)
    assert {x["id"] for x in owned["unit"]["objectives"]} == {top["id"], o["id"]}


# --- the same bad input, the same code ---------------------------------------------------------------------

LONG = "x" * 10_001


def _bad_values(f: Field) -> list[Any]:
    """Values that break the field's declared constraint, derived from the declaration."""
    by_kind: dict[str, list[Any]] = {
        "name": ["", "   ", "x" * (f.limit + 1), "a\nb", "\x07"],
        "text": [LONG, "\x1b[31m"],
        "choice": ["galaxy", ""],
        "ref": ["nope", f"zzz_{'1' * 26}", f"{f.prefix}_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"],
        "refs": [["nope"], ["unit_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"]],
        "number": [f.low - 1, f.high * 10 if f.high > 0 else 1e16],
        "links": [[{"title": "T", "url": "ftp://x", "kind": "document"}], [{"title": "", "url": "https://x.y"}]],
        "external_refs": [{"BAD SYSTEM": "1"}, {"sap": ""}],
        "date": [],  # a bad date is a type error in both transports before the domain sees it
    }
    return by_kind[f.kind]


CASES = [
    (kind, f.name, value)
    for kind, declared in (("Objective", OBJECTIVE_FIELDS), ("KeyResult", KEY_RESULT_FIELDS))
    for f in declared
    for value in _bad_values(f)
    if not (kind == "Objective" and f.name == "status")  # a status beyond draft/active is the table's affair
]
REST = {"Objective": "/v1/objectives", "KeyResult": "/v1/key-results"}


@pytest.mark.parametrize(("kind", "name", "value"), CASES, ids=[f"{k}.{n}={str(v)[:14]!r}" for k, n, v in CASES])
async def test_the_same_bad_field_gets_the_same_code(
    client: httpx.AsyncClient, kind: str, name: str, value: Any
) -> None:
    _org, h = await make_org(client)
    u = await unit(client, h, "Sales")
    valid: dict[str, Any] = {"title": "T", "period_start": "2026-07-01", "period_end": "2026-09-30", "owner_unit_id": u}
    if kind == "KeyResult":
        valid = {"objective_id": (await objective(client, h, u))["id"], "title": "M", "target_value": 10}
    body = {**valid, name: value}
    rest = await client.post(REST[kind], json=body, headers=h)
    assert rest.status_code in (404, 409, 422), rest.text
    rest_codes = {(e["field"], e["code"]) for e in rest.json().get("errors") or []}
    query = f"mutation($input: Create{kind}Input!) {{ create{kind}(input: $input) {{ userErrors {{ field code }} }} }}"
    variables = {"input": {_camel(k): v for k, v in body.items()}}
    answer = (await client.post("/graphql", json={"query": query, "variables": variables}, headers=h)).json()
    assert "errors" not in answer, answer
    graphql_codes = {(e["field"], e["code"]) for e in answer["data"][f"create{kind}"]["userErrors"]}
    assert rest_codes and rest_codes == graphql_codes, (rest.json(), answer)


# --- a tree read costs the same statements for 20 and 2,000 objectives -------------------------------------

TREE = """query($root: ID!) { objective(id: $root) { id progress ownerUnit { id }
  children { id progress parent { id } keyResults { id checkIns { id } } progressExplained { progress inputs { id } }
    children { id progress parent { id } keyResults { id } progressExplained { progress inputs { id } }
      children { id progress keyResults { id } ownerUnit { id name }
        children { id progress keyResults { id } } } } } } }"""
LEVELS = 5  # the root and four levels below it


async def _cascade(app: Any, org: str, unit_id: str, size: int) -> str:
    """`size` objectives in five levels under one root, each with a key result, written through the
    repositories in one transaction (the API would take minutes for 2,000); the root's id."""
    now = datetime.now(UTC)
    shares = [2**k for k in range(LEVELS - 1)]
    sizes = [1] + [max(1, (size - 1) * w // sum(shares)) for w in shares]
    sizes[-1] += size - sum(sizes)
    levels: list[list[Objective]] = []
    for depth, count in enumerate(sizes):
        above = levels[-1] if levels else []
        levels.append(
            [
                Objective(
                    id=new_id("obj"),
                    organization_id=org,
                    created_at=now,
                    updated_at=now,
                    title=f"O{depth}.{i}",
                    period_start=date(2026, 7, 1),
                    period_end=date(2026, 9, 30),
                    owner_unit_id=unit_id,
                    parent_id=above[i % len(above)].id if above else None,
                    contributor_unit_ids=[unit_id],
                    status="active",
                )
                for i in range(count)
            ]
        )
    objectives = [o for level in levels for o in level]
    assert len(objectives) == size
    krs = [
        KeyResult(
            id=new_id("kr"),
            organization_id=org,
            created_at=now,
            updated_at=now,
            objective_id=o.id,
            title="M",
            target_value=10,
        )
        for o in objectives
    ]
    async with app.state.db.unit_of_work(org, write=True) as uow:
        await uow.objectives.add_many(objectives)
        await uow.key_results.add_many(krs)
        await uow.commit()
    return levels[0][0].id


async def test_the_tree_read_runs_the_same_statements_for_20_and_2000_objectives(
    app: Any, client: httpx.AsyncClient
) -> None:
    counts = {}
    for size in (20, 2000):
        org, h = await make_org(client)
        u = await unit(client, h, "Sales")
        root = await _cascade(app, org, u, size)
        with counting_statements(app) as statements:
            data = await _graphql(client, h, TREE, root=root)
        counts[size] = len(statements)
        seen, frontier = 0, [data["objective"]]
        while frontier:
            seen += len(frontier)
            frontier = [c for node in frontier for c in node.get("children", [])]
        assert seen == size  # the whole tree was read
    print(f"SQL statements for the objectives tree: {counts}")
    assert counts[20] == counts[2000]


async def test_graphql_lists_filter_like_rest(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    sales, delivery = await unit(client, h, "Sales"), await unit(client, h, "Delivery")
    owned = await objective(client, h, sales, external_refs={"okr": "O-1"})
    shared = await objective(client, h, delivery, contributor_unit_ids=[sales], status="draft")
    data = await _graphql(
        client,
        h,
        "query($u: ID!) { unit(id: $u) { objectives { id } all: objectives(includeContributing: true) { id } } }",
        u=sales,
    )
    assert [o["id"] for o in data["unit"]["objectives"]] == [owned["id"]]
    assert [o["id"] for o in data["unit"]["all"]] == [owned["id"], shared["id"]]
    rest = await get(client, h, f"/v1/units/{sales}/objectives?include=contributing")
    assert [o["id"] for o in rest["data"]] == [o["id"] for o in data["unit"]["all"]]
    for args, expected in (
        ('status: "draft"', [shared["id"]]),
        ('externalRef: "okr:O-1"', [owned["id"]]),
        (f'contributorUnitId: "{sales}"', [shared["id"]]),
        ('updatedSince: "2999-01-01T00:00:00Z"', []),
    ):
        found = await _graphql(client, h, f"{{ objectives({args}) {{ edges {{ node {{ id }} }} }} }}")
        assert [e["node"]["id"] for e in found["objectives"]["edges"]] == expected, args
    bad = (await client.post("/graphql", json={"query": '{ objectives(status: "nope") { edges { node { id } } } }'},
                             headers=h)).json()  # fmt: skip
    assert bad["errors"] and bad["data"] is None
    assert (await client.get("/v1/objectives?status=nope", headers=h)).status_code == 422
