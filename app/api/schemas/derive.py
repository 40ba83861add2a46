"""REST's request and response schemas derived from a resource's declaration (app/domain/fields.py), so that
a field, its type, whether it is required, its constraints and its documentation are written once.

The schemas type the wire (a string, a number, a date: pydantic converts and refuses the wrong JSON type);
the constraints (lengths, enumerations, ranges, list sizes) are documented here and held by the domain's
`check_fields`, which GraphQL's input goes through too: one bad value gets one code and one message,
whichever transport it came by."""

from __future__ import annotations

import copy
import dataclasses
import typing
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, WithJsonSchema, create_model
from pydantic import Field as Documented

from app.api.instants import Instant
from app.api.schemas.common import ChecklistItem, ExternalRefs, Link, Question, RequestBody, Resource
from app.domain.fields import DURATION_RE, EXAMPLE_NULL, MAX_NUMBER, Field, describe

_EXAMPLE_ID = "01J9Z3Q4K6W8X2Y5V7T9R1M3N5"


def choice(values: tuple[str, ...]) -> Any:
    """The type of a query filter that takes one of the declared values."""
    return Literal[values]


def _number(f: Field) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer" if f.kind == "integer" else "number"}
    if f.low > -MAX_NUMBER:
        schema["minimum"] = f.low
    if f.high < MAX_NUMBER:
        schema["maximum"] = f.high
    return schema


def _typed(f: Field, creating: bool) -> tuple[Any, dict[str, Any] | None]:
    """The Python type pydantic reads a field's JSON as, and the JSON Schema documenting what the declaration
    lets through (None: the type's own, for the objects a list of links, checklist items or questions holds)."""
    kind, strings = f.kind, {"type": "string"}
    documented: dict[str, tuple[Any, dict[str, Any] | None]] = {
        "name": (str, {**strings, "minLength": 1, "maxLength": f.limit}),
        "text": (str, {**strings, "maxLength": f.limit}),
        "choice": (str, {**strings, "enum": list(f.first if creating and f.first else f.choices)}),
        "ref": (str, {**strings, "maxLength": 40}),
        "duration": (str, {**strings, "pattern": f"^{DURATION_RE.pattern}$"}),
        # a whole number takes a JSON number too, so that 1.5 is refused by the declaration's check, as over GraphQL
        "integer": (int | float, _number(f)),
        "number": (float, _number(f)),
        "date": (date, {**strings, "format": "date"}),
        "instant": (Instant, {**strings, "format": "date-time"}),
        "bool": (bool, {"type": "boolean"}),
        "json": (dict[str, Any], {"type": "object"}),
        "checklist": (list[ChecklistItem], None),
        "questions": (list[Question], None),
        "links": (list[Link], None),
        "external_refs": (ExternalRefs if creating else dict[str, str | None], None),
    }
    if kind in ("refs", "lines"):
        items = {**strings, "maxLength": 40 if kind == "refs" else f.limit}
        return list[str], {"type": "array", "items": items, "maxItems": f.max_items}
    return documented[kind]


def wire_type(f: Field, *, creating: bool = True) -> Any:
    """The type a field takes on the wire, documented by its declaration."""
    python_type, schema = _typed(f, creating)
    return python_type if schema is None else Annotated[python_type, WithJsonSchema(schema)]


def _example(f: Field) -> list[Any] | None:
    if f.example is EXAMPLE_NULL:
        return [None]
    if f.example is not None:
        return [f.example]
    if f.kind == "ref":
        return [f"{f.prefix}_{_EXAMPLE_ID}"]
    if f.kind == "refs":
        return [[f"{f.prefix}_{_EXAMPLE_ID}"]]
    return None


def _documented(f: Field, **options: Any) -> Any:
    if f.kind in ("links", "checklist", "questions"):  # sizes the type's own schema does not say
        options["json_schema_extra"] = {"maxItems": f.max_items}
    return Documented(description=describe(f) or None, examples=_example(f), **options)


def create_body(
    name: str, declared: Iterable[Field], defaults: Mapping[str, Any], *, doc: str, replacing: bool = False
) -> type[BaseModel]:
    """What a creation (and a PUT by external ref) takes: the required fields without a default, a field with
    a default that default, the others (and the `kept` ones, which a PUT leaves as they are) null.
    `replacing`: a PUT's body, where a choice takes every value (a creation's narrower list, `first`, holds
    only when the PUT creates)."""
    fields: dict[str, Any] = {}
    for f in declared:
        kind = wire_type(dataclasses.replace(f, first=()) if replacing else f)
        if f.required:
            fields[f.name] = (kind, _documented(f))
        elif f.name in defaults and not f.kept:
            value = defaults[f.name]
            mutable = isinstance(value, list | dict)
            options = {"default_factory": lambda v=value: copy.deepcopy(v)} if mutable else {"default": value}
            fields[f.name] = (kind, _documented(f, **options))
        else:
            fields[f.name] = (kind | None, _documented(f, default=None))
    return _model(name, RequestBody, doc, fields)


_ITEMS = {"links": "Link", "checklist": "ChecklistItem", "questions": "Question"}


def _object_schema(f: Field) -> dict[str, Any] | None:
    """A PATCH's documented list of objects or map of refs (the components the creations' schemas make)."""
    if f.kind in _ITEMS:
        return {"type": "array", "items": {"$ref": f"#/components/schemas/{_ITEMS[f.kind]}"}, "maxItems": f.max_items}
    if f.kind == "external_refs":  # a merge patch of the map: null removes a system's ref
        return {"type": "object", "additionalProperties": {"anyOf": [{"type": "string"}, {"type": "null"}]}}
    return None


def patch_body(name: str, declared: Iterable[Field], *, doc: str) -> type[BaseModel]:
    """A JSON merge patch of the declared fields: send what changes, null to clear where the field may be
    null (documented so)."""
    fields: dict[str, Any] = {}
    for f in declared:
        python_type, schema = _typed(f, creating=False)
        schema = schema or _object_schema(f)
        if schema is not None and not f.nullable:  # absent or a value: a null is refused (by the check)
            fields[f.name] = (Annotated[python_type | None, WithJsonSchema(schema)], _documented(f, default=None))
        else:
            fields[f.name] = (wire_type(f, creating=False) | None, _documented(f, default=None))
    return _model(name, RequestBody, doc, fields)


def resource_body(
    name: str,
    entity: type,
    declared: Iterable[Field],
    *,
    doc: str,
    read_only: Iterable[Field] = (),
    extra: Mapping[str, Any] | None = None,
) -> type[BaseModel]:
    """An object as the API shows it: the entity's public fields (app/domain/model.py), typed and documented
    by their declaration when they have one (the writable `declared`, the `read_only` ones the API sets),
    else by the entity's own annotation. `extra`: fields the answer adds to the entity's (name → type)."""
    writable = {f.name for f in declared}
    known = {f.name: f for f in (*declared, *read_only)}
    hints = typing.get_type_hints(entity)
    private = set(getattr(entity, "private_fields", ())) | set(Resource.model_fields)
    names = [f.name for f in dataclasses.fields(entity) if f.name not in private]
    tail = [n for n in ("external_refs", "links") if n in names]  # last, as every answer shows them
    fields: dict[str, Any] = {}
    for field_name in [n for n in names if n not in tail] + tail:
        hint = hints[field_name]
        optional = type(None) in typing.get_args(hint)
        f = known.get(field_name)
        if f is None:
            fields[field_name] = (hint, ...)
            continue
        # a writable field as it is written; one the API sets as the entity holds it, an enumeration's values named
        kind = wire_type(dataclasses.replace(f, first=())) if field_name in writable or f.kind == "choice" else hint
        kind = kind | None if optional and kind is not hint else kind
        fields[field_name] = (kind, Documented(description=describe(f) or None))
    for field_name, annotation in (extra or {}).items():
        fields[field_name] = (annotation, ...)
    return _model(name, Resource, doc, fields)


def _model(name: str, base: type[BaseModel], doc: str, fields: dict[str, Any]) -> type[BaseModel]:
    model: type[BaseModel] = create_model(name, __base__=base, __doc__=doc, __module__=__name__, **fields)
    return model


__all__ = ["choice", "create_body", "patch_body", "resource_body", "wire_type"]
