"""One bad input, one answer: for every constrained field of the org chart's inputs, REST's problem
`errors` and GraphQL's `userErrors` name the same field with the same code. The table is generated from
the valid inputs below and, per field, the values that break its constraint."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest

from tests.factories import make_org

LONG = "x" * 1001
VALID: dict[str, dict[str, Any]] = {
    "Unit": {"name": "Sales", "kind": "department"},
    "Person": {"given_name": "Ada", "family_name": "Lovelace", "email": "ada@example.com"},
    "Membership": {"person_id": "{person}", "unit_id": "{unit}"},  # filled with real ids per test
}
BAD: dict[str, dict[str, list[Any]]] = {
    "Unit": {
        "name": ["", "   ", LONG, "\u200b\u200d", "a\nb", "\x07"],
        "kind": ["galaxy", ""],
        "parent_id": ["nope", "person_01J9Z3Q4K6W8X2Y5V7T9R1M3N5", "unit_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"],
        "lead_person_id": ["nope", "person_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"],
        "external_refs": [{"BAD SYSTEM": "1"}, {"sap": ""}, {"sap": LONG}],
    },
    "Person": {
        "given_name": ["", LONG, "\ufeff", "tab\there"],
        "family_name": ["", LONG],
        "email": ["not-an-email", "", LONG + "@example.com"],
        "title": [LONG],
        "manager_id": ["nope", "person_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"],
        "status": ["retired", ""],
        "external_refs": [{"BAD SYSTEM": "1"}],
    },
    "Membership": {
        "person_id": ["nope", "person_01J9Z3Q4K6W8X2Y5V7T9R1M3N5", "unit_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"],
        "unit_id": ["nope", "unit_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"],
        "kind": ["galaxy", ""],
        "title": [LONG, "\x1b[31m"],
        "external_refs": [{"BAD SYSTEM": "1"}, {"hr\n": "1"}],
    },
}
REST = {"Unit": "/v1/units", "Person": "/v1/people", "Membership": "/v1/memberships"}
CASES = [(kind, name, value) for kind, fields in BAD.items() for name, values in fields.items() for value in values]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def _codes(errors: list[dict[str, Any]], field: str) -> set[tuple[str, str]]:
    return {(e["field"], e["code"]) for e in errors if e["field"] and e["field"].split("/")[1] == field}


@pytest.mark.parametrize(("kind", "name", "value"), CASES, ids=[f"{k}.{n}={str(v)[:12]!r}" for k, n, v in CASES])
async def test_the_same_bad_field_gets_the_same_code(
    client: httpx.AsyncClient, kind: str, name: str, value: Any
) -> None:
    _org, h = await make_org(client)
    valid = dict(VALID[kind])
    if kind == "Membership":
        person = {"given_name": "M", "family_name": "M", "email": "m@example.com"}
        valid["person_id"] = (await client.post("/v1/people", json=person, headers=h)).json()["id"]
        valid["unit_id"] = (await client.post("/v1/units", json={"name": "U", "kind": "team"}, headers=h)).json()["id"]
    body = {**valid, name: value}
    rest = await client.post(REST[kind], json=body, headers=h)
    assert rest.status_code in (404, 409, 422), rest.text
    rest_codes = _codes(rest.json().get("errors") or [], name)

    variables = {"input": {_camel(k): v for k, v in body.items()}}
    query = f"""mutation($input: Create{kind}Input!) {{ create{kind}(input: $input) {{
        userErrors {{ field code message }} }} }}"""
    r = await client.post("/graphql", json={"query": query, "variables": variables}, headers=h)
    answer = r.json()
    assert "errors" not in answer, answer
    graphql_codes = _codes(answer["data"][f"create{kind}"]["userErrors"], name)

    assert rest_codes, f"REST names no error on {name}: {rest.text}"
    assert rest_codes == graphql_codes, (rest.json(), answer)
    # Nothing was made by either.
    listed = await client.get(REST[kind], headers=h)
    assert listed.json()["data"] == []


def test_every_constrained_field_is_in_the_table() -> None:
    assert set(itertools.chain.from_iterable(BAD.values())) >= {
        "name",
        "kind",
        "email",
        "status",
        "manager_id",
        "person_id",
        "unit_id",
        "title",
    }
