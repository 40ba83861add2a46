"""GraphQL inputs derived from a resource's declaration (app/domain/fields.py), so that a field, its type
and whether it is required are written once. The values are checked by the domain, as REST's are: a bad
value is a `userErrors` entry with the same code as REST's problem, not a GraphQL coercion error."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from app.domain.fields import Field, describe

_TYPES: dict[str, Any] = {
    "name": str,
    "text": str,
    "choice": str,
    "ref": strawberry.ID,
    "refs": list[strawberry.ID],
    "lines": list[str],
    "date": date,
    "number": float,
    "integer": float,  # Float, as 1.1.0 published the survey inputs; the check refuses a fraction (REST's code)
    "bool": bool,
    "links": JSON,
    "external_refs": JSON,
    "instant": datetime,
    "json": JSON,
    "checklist": JSON,
    "questions": JSON,
    "duration": str,
}


def _describe(f: Field) -> str | None:
    return describe(f) or None


# The kinds whose default a creation's input shows as GraphQL's own (`kind: String! = "member"`): a null
# there is refused as REST's schema refuses it. Lists and JSON keep taking null for their empty default.
_SCALAR_KINDS = frozenset({"name", "text", "choice", "number", "integer", "bool", "date", "instant", "duration"})


def derive_input(
    name: str,
    declared: Iterable[Field],
    *,
    update: bool,
    description: str,
    defaults: Mapping[str, Any] | None = None,
) -> type:
    """`update`: every field optional and UNSET unless given (merge-patch semantics; null clears it). A
    creation's field that has a default (`defaults`, the service's) and may not be null is non-null with that
    default, when it is a scalar."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__module__": __name__}
    for f in declared:
        kind = _TYPES[f.kind]
        if not update and defaults and f.name in defaults and not f.nullable and not f.kept and f.kind in _SCALAR_KINDS:
            annotations[f.name] = kind
            namespace[f.name] = strawberry.field(default=defaults[f.name], description=_describe(f))
            continue
        if update or not f.required:
            annotations[f.name] = kind | None
            namespace[f.name] = strawberry.field(default=strawberry.UNSET if update else None, description=_describe(f))
        else:
            annotations[f.name] = kind
            namespace[f.name] = strawberry.field(description=_describe(f))
    namespace["__annotations__"] = annotations
    return strawberry.input(type(name, (), namespace), description=description)


def given(data: Any) -> dict[str, Any]:
    """The input's fields that were given (absent ones stay UNSET: merge-patch semantics)."""
    return {k: v for k, v in vars(data).items() if v is not strawberry.UNSET}


def for_create(data: Any) -> dict[str, Any]:
    """A create's fields: nulls are left out, so that the declaration's defaults apply."""
    return {k: v for k, v in given(data).items() if v is not None}
