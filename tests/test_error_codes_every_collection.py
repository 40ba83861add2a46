"""One bad input, one answer, for every collection: each field a collection's declaration constrains
(app/domain/fields.py) gets bad values made from its kind (too long, not a choice, not an id, out of range,
before the field it may not precede, …), sent once over REST and once over GraphQL's create mutation; both
must refuse it, naming the same field with the same code and the same message. The table is generated from the declarations, so
a new collection or a new field joins it without an edit here (a collection without a valid body below
fails the first test)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import GraphQLInputObjectType, GraphQLNonNull, build_schema

from app.domain.fields import MAX_NUMBER, Field
from app.graphql.schema import schema_sdl
from tests.factories import bearer, make_org
from tests.test_kits_agree import _camel, _collections
from tests.test_rest_schemas_follow_declarations import DECLARED

LATER = "2027-01-01T00:00:00Z"
# A body each collection accepts; `{unit}`, `{person}`, … are filled with ids made in the organization.
VALID: dict[str, dict[str, Any]] = {
    "units": {"name": "Sales", "kind": "team"},
    "people": {"given_name": "Ada", "family_name": "Lovelace", "email": "ada@example.com"},
    "memberships": {"person_id": "{person}", "unit_id": "{other_unit}"},
    "roles": {"name": "Controller"},
    "role-assignments": {"role_id": "{role}", "person_id": "{person}"},
    "raci": {"subject_type": "unit", "subject_id": "{unit}", "party_type": "person", "party_id": "{person}",
             "letter": "R"},
    "objectives": {"title": "Grow", "period_start": "2026-01-01", "period_end": "2026-03-31",
                   "owner_unit_id": "{unit}"},
    "key-results": {"objective_id": "{objective}", "title": "ARR", "target_value": 10},
    "check-ins": {"key_result_id": "{key_result}", "value": 5},
    "handoffs": {"title": "Kick-off", "from_unit_id": "{unit}", "to_unit_id": "{other_unit}"},
    "handoff-policies": {"accept_within": "PT4H"},
    "feedback": {"recipient_unit_id": "{unit}", "kind": "praise", "body": "Thanks"},
    "feedback-requests": {"requester_person_id": "{person}", "respondent_person_ids": ["{person}"],
                          "due_at": LATER},
    "surveys": {"title": "Pulse", "questions": [{"id": "q1", "text": "How?", "type": "scale"}],
                "audience_unit_ids": ["{unit}"], "opens_at": LATER, "closes_at": "2027-01-10T00:00:00Z"},
}  # fmt: skip


def bad_values(f: Field, valid: dict[str, Any]) -> list[Any]:
    """Values of the right JSON type that break the field's declared constraint."""
    if f.kind == "name":
        return ["", "x" * (f.limit + 1), "a\nb"]
    if f.kind == "text":
        return ["x" * (f.limit + 1), "\x07"]
    if f.kind == "choice":
        extra = [c for c in f.choices if c not in f.first][:1] if f.first else []  # allowed later, not on creation
        return ["galaxy", *extra]
    if f.kind == "ref":
        return ["nope", "x" * 41]
    if f.kind == "refs":
        return [["nope"], [f"{f.prefix}_1"] * (f.max_items + 1)]
    if f.kind == "lines":
        return [["a\nb"], ["x"] * (f.max_items + 1)]
    if f.kind == "date":
        earlier = ["2000-01-01"] if f.not_before and valid.get(f.not_before) else []
        return ["1800-01-01", *earlier]
    if f.kind == "instant":
        return ["1800-01-01T00:00:00Z"]
    if f.kind == "duration":
        return ["P1Y", "PT0S"]
    if f.kind in ("number", "integer"):
        fraction = [f.low + 0.5] if f.kind == "integer" else []
        return [
            f.low - 1 if f.low > -MAX_NUMBER else -MAX_NUMBER * 10,
            f.high + 1 if f.high < MAX_NUMBER else 1e16,
            *fraction,
        ]
    if f.kind == "json":
        return [{"n": 2**70}]
    if f.kind == "links":
        return [[{"title": "", "url": "https://docs.example.com"}], [{"title": "Plan", "url": "ftp://x"}]]
    if f.kind == "external_refs":
        return [{"BAD SYSTEM": "1"}, {"sap": ""}]
    if f.kind == "checklist":
        return [[{"item": ""}]]
    if f.kind == "questions":
        return [[{"id": "q1", "text": "", "type": "scale"}]]
    return []  # bool: its type is its only constraint


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _lower_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def _codes(errors: list[dict[str, Any]], field: str) -> set[tuple[str, str, str]]:
    """What the answer says of the field: each error's pointer, code and message."""
    return {
        (e["field"], e["code"], e["message"]) for e in errors if e.get("field") and e["field"].split("/")[1] == field
    }


async def _world(client: httpx.AsyncClient, h: dict[str, str]) -> dict[str, str]:
    """The objects the valid bodies name."""

    async def made(path: str, body: dict[str, Any]) -> str:
        r = await client.post(path, json=body, headers=h)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    ids = {"unit": await made("/v1/units", {"name": "U", "kind": "team"})}
    ids["other_unit"] = await made("/v1/units", {"name": "V", "kind": "team"})
    ids["person"] = await made("/v1/people", {"given_name": "P", "family_name": "Q", "email": "p@example.com"})
    await made("/v1/memberships", {"person_id": ids["person"], "unit_id": ids["unit"]})  # so they send handoffs
    ids["role"] = await made("/v1/roles", {"name": "Lead"})
    ids["objective"] = await made("/v1/objectives", _fill(VALID["objectives"], ids))
    ids["key_result"] = await made("/v1/key-results", _fill(VALID["key-results"], ids))
    return ids


COLLECTIONS = sorted(c.path for c in _collections())


def test_every_collection_has_a_valid_body() -> None:
    assert set(COLLECTIONS) == set(VALID) == set(DECLARED)


@pytest.mark.parametrize("path", COLLECTIONS)
async def test_the_same_bad_field_gets_the_same_code_over_both_transports(client: httpx.AsyncClient, path: str) -> None:
    org, admin = await make_org(client)
    ids = await _world(client, admin)
    h = bearer(org, "admin", person=ids["person"])
    collection = next(c for c in _collections() if c.path == path)
    mutation = build_schema(schema_sdl()).mutation_type
    assert mutation is not None
    name = f"create{_camel(collection.noun)}"
    input_type = mutation.fields[name].args["input"].type
    input_type = input_type.of_type if isinstance(input_type, GraphQLNonNull) else input_type
    assert isinstance(input_type, GraphQLInputObjectType)
    query = (
        f"mutation($input: {input_type.name}!) {{ {name}(input: $input) {{ userErrors {{ field code message }} }} }}"
    )
    valid = _fill(VALID[path], ids)
    declared, _writable = DECLARED[path]
    before = len((await client.get(f"/v1/{path}?limit=200", headers=h)).json()["data"])
    mismatches, tried = [], 0
    for f in declared:
        for value in bad_values(f, valid):
            tried += 1
            body = {**valid, f.name: value}
            rest = await client.post(f"/v1/{path}", json=body, headers=h)
            rest_codes = _codes(rest.json().get("errors") or [], f.name) if rest.status_code == 422 else set()
            variables = {"input": {_lower_camel(k): v for k, v in body.items()}}
            answer = (await client.post("/graphql", json={"query": query, "variables": variables}, headers=h)).json()
            if "errors" in answer:
                mismatches.append(f"{f.name}={str(value)[:30]!r}: GraphQL refused the input itself {answer['errors']}")
                continue
            assert "data" in answer, answer  # a GraphQL answer, not a failure of the transport
            graphql_codes = _codes(answer["data"][name]["userErrors"], f.name)
            if not rest_codes or rest_codes != graphql_codes:
                mismatches.append(
                    f"{f.name}={str(value)[:30]!r}: REST {rest.status_code} {rest_codes}, GraphQL {graphql_codes}"
                )
    assert tried > 0
    assert not mismatches, mismatches
    # Nothing was made by either, and the valid body is accepted: what was refused was the bad field.
    assert len((await client.get(f"/v1/{path}?limit=200", headers=h)).json()["data"]) == before
    accepted = await client.post(f"/v1/{path}", json=valid, headers=h)
    assert accepted.status_code == 201, accepted.text
