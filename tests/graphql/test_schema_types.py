"""GraphQL's types say what the values are: every enumerated field of a resource's declaration is an enum
with the declaration's values (REST's enums, the same words), and every id an `ID`. Generated from the
declarations, so a new enumerated field is covered without a new line here."""

from __future__ import annotations

from typing import Any

import httpx
from graphql import GraphQLEnumType, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType, build_schema

from app.domain.feedback.model import FEEDBACK_FIELDS, REQUEST_FIELDS, SURVEY_FIELDS
from app.domain.handoffs.model import HANDOFF_FIELDS, POLICY_FIELDS
from app.domain.objectives.model import KEY_RESULT_FIELDS, OBJECTIVE_FIELDS
from app.domain.org_chart.model import MEMBERSHIP_DECLARED, PERSON_DECLARED, UNIT_DECLARED
from app.domain.roles.model import RACI_FIELDS
from app.graphql.schema import schema_sdl
from tests.factories import make_org

DECLARED = {
    "Unit": UNIT_DECLARED,
    "Person": PERSON_DECLARED,
    "Membership": MEMBERSHIP_DECLARED,
    "Objective": OBJECTIVE_FIELDS,
    "KeyResult": KEY_RESULT_FIELDS,
    "Handoff": HANDOFF_FIELDS,
    "HandoffPolicy": POLICY_FIELDS,
    "Feedback": FEEDBACK_FIELDS,
    "FeedbackRequest": REQUEST_FIELDS,
    "Survey": SURVEY_FIELDS,
    "RaciEntry": RACI_FIELDS,
}
SCHEMA = build_schema(schema_sdl())


def _named(t: Any) -> Any:
    while isinstance(t, GraphQLNonNull | GraphQLList):
        t = t.of_type
    return t


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def test_every_enumerated_field_is_an_enum_of_the_declarations_values() -> None:
    checked = 0
    for type_name, declared in DECLARED.items():
        object_type = SCHEMA.get_type(type_name)
        assert isinstance(object_type, GraphQLObjectType), type_name
        for f in declared:
            if f.kind != "choice" or _camel(f.name) not in object_type.fields:
                continue
            kind = _named(object_type.fields[_camel(f.name)].type)
            assert isinstance(kind, GraphQLEnumType), (type_name, f.name, kind)
            assert list(kind.values) == list(f.choices), (type_name, f.name)
            checked += 1
    assert checked >= 15  # unit kind, person status, membership kind, RACI letter, feedback visibility, ...


def test_every_id_field_is_an_id() -> None:
    wrong = []
    for name, t in SCHEMA.type_map.items():
        if name.startswith("__") or not isinstance(t, GraphQLObjectType):
            continue
        for field_name, field in t.fields.items():
            if field_name == "id" or field_name.endswith("Id") or field_name.endswith("Ids"):
                named = _named(field.type)
                if isinstance(named, GraphQLScalarType) and named.name != "ID":
                    wrong.append(f"{name}.{field_name}: {named.name}")
    assert not wrong, wrong


async def test_an_enum_answers_the_same_words_as_rest(client: httpx.AsyncClient) -> None:
    _, h = await make_org(client)
    unit = (await client.post("/v1/units", json={"name": "Sales", "kind": "department"}, headers=h)).json()
    r = await client.post(
        "/graphql", json={"query": "query($id: ID!){ unit(id: $id) { kind parentId } }", "variables": {"id": unit["id"]}},
        headers=h,
    )  # fmt: skip
    assert r.json()["data"] == {"unit": {"kind": "department", "parentId": None}}, r.text
    bad = await client.post(
        "/graphql", json={"query": 'mutation { createUnit(input: {name: "X", kind: "galaxy"}) { unit { id } '
                          "userErrors { field code } } }"}, headers=h,
    )  # fmt: skip
    assert bad.json()["data"]["createUnit"] == {"unit": None, "userErrors": [{"field": "/kind", "code": "invalid"}]}
