"""REST's request schemas are derived from the domain's declarations (app/api/schemas/derive.py), whose
rules every input goes through. This holds the derivation to them, from the served OpenAPI document: each
collection's create body has exactly the declared fields, requires exactly the required ones, and its PATCH
body the writable ones; an enumerated field is an enum of the declared values (a creation may allow fewer),
and a documented maximum length is the declared one. A collection the REST kit registers without an entry
here fails."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.domain.feedback.model import FEEDBACK_FIELDS, REQUEST_FIELDS, REQUEST_WRITABLE, SURVEY_FIELDS, SURVEY_WRITABLE
from app.domain.fields import Field
from app.domain.handoffs.model import HANDOFF_FIELDS, HANDOFF_WRITABLE, POLICY_FIELDS, POLICY_WRITABLE
from app.domain.objectives.model import (
    CHECK_IN_FIELDS,
    KEY_RESULT_FIELDS,
    KEY_RESULT_WRITABLE,
    OBJECTIVE_FIELDS,
    OBJECTIVE_WRITABLE,
)
from app.domain.org_chart.common import MEMBERSHIP_MUTABLE
from app.domain.org_chart.model import MEMBERSHIP_DECLARED, PERSON_DECLARED, UNIT_DECLARED
from app.domain.roles.model import (
    RACI_FIELDS,
    RACI_WRITABLE,
    ROLE_ASSIGNMENT_FIELDS,
    ROLE_ASSIGNMENT_WRITABLE,
    ROLE_FIELDS,
    ROLE_WRITABLE,
)
from app.main import create_app
from tests.conftest import make_settings
from tests.test_kits_agree import _collections

ALL = None  # every declared field is writable
DECLARED: dict[str, tuple[tuple[Field, ...], Iterable[str] | None]] = {
    "units": (UNIT_DECLARED, ALL),
    "people": (PERSON_DECLARED, ALL),
    "memberships": (MEMBERSHIP_DECLARED, MEMBERSHIP_MUTABLE),
    "roles": (ROLE_FIELDS, ROLE_WRITABLE),
    "role-assignments": (ROLE_ASSIGNMENT_FIELDS, ROLE_ASSIGNMENT_WRITABLE),
    "raci": (RACI_FIELDS, RACI_WRITABLE),
    "objectives": (OBJECTIVE_FIELDS, OBJECTIVE_WRITABLE),
    "key-results": (KEY_RESULT_FIELDS, KEY_RESULT_WRITABLE),
    "check-ins": (CHECK_IN_FIELDS, ()),
    "handoffs": (HANDOFF_FIELDS, HANDOFF_WRITABLE),
    "handoff-policies": (POLICY_FIELDS, POLICY_WRITABLE),
    "feedback": (FEEDBACK_FIELDS, ()),
    "feedback-requests": (REQUEST_FIELDS, REQUEST_WRITABLE),
    "surveys": (SURVEY_FIELDS, SURVEY_WRITABLE),
}


def _resolve(schemas: dict[str, Any], prop: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in prop:
        return _resolve(schemas, schemas[prop["$ref"].rsplit("/", 1)[-1]])
    for choice in prop.get("anyOf", ()):
        if choice.get("type") != "null":
            return _resolve(schemas, choice)
    return prop


def _problems(schemas: dict[str, Any], name: str, declared: Iterable[Field], *, create: bool) -> list[str]:
    schema = schemas[name]
    props: dict[str, Any] = schema.get("properties", {})
    fields = {f.name: f for f in declared}
    out = [f"{name}: {p} is not declared" for p in sorted(set(props) - set(fields))]
    out += [f"{name}: declared {f} is not in the schema" for f in sorted(set(fields) - set(props))]
    if create:
        required, wanted = set(schema.get("required", [])), {f.name for f in fields.values() if f.required}
        out += [f"{name}: required {sorted(required)} but the declaration requires {sorted(wanted)}"] * (
            required != wanted
        )
    for f in fields.values():
        if f.name not in props:
            continue
        prop = _resolve(schemas, props[f.name])
        if f.kind == "choice":
            values = prop.get("enum")
            ok = values is not None and (set(values) <= set(f.choices) if create else list(values) == list(f.choices))
            out += [f"{name}.{f.name}: enum {values}, declared {list(f.choices)}"] * (not ok)
        if f.kind in ("name", "text") and "maxLength" in prop and prop["maxLength"] != f.limit:
            out.append(f"{name}.{f.name}: maxLength {prop['maxLength']}, declared {f.limit}")
        if not create:  # a PATCH documents null where the declaration takes one, and only there
            documented_null = any(c.get("type") == "null" for c in props[f.name].get("anyOf", ()))
            if documented_null != f.nullable:
                out.append(f"{name}.{f.name}: null documented {documented_null}, declared {f.nullable}")
    return out


def test_every_collection_s_request_schemas_follow_its_declaration() -> None:
    document = create_app(make_settings("sqlite+aiosqlite:///:memory:")).openapi()
    schemas = document["components"]["schemas"]
    problems: list[str] = []
    collections = _collections()
    assert {c.path for c in collections} == set(DECLARED), "a collection without its declaration here"
    for c in collections:
        declared, writable = DECLARED[c.path]
        problems += _problems(schemas, c.create.__name__, declared, create=True)
        if writable != ():
            names = {f.name for f in declared} if writable is ALL else set(writable)
            problems += _problems(schemas, c.patch.__name__, [f for f in declared if f.name in names], create=False)
    assert not problems, problems
