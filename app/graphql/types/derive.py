"""GraphQL object types derived from the domain's dataclasses, so that a field is declared once: an
enumerated field (a `choice` of the resource's declaration, or a state the API sets) is a GraphQL enum,
an id an `ID`."""

from __future__ import annotations

import dataclasses
import enum
import typing
from collections.abc import Iterable, Mapping
from typing import Any

import strawberry
from strawberry.scalars import JSON

from app.domain.fields import Field, describe


@strawberry.interface(description="An object with a global id: the same id as in REST.")
class Node:
    id: strawberry.ID


_ENUMS: dict[str, Any] = {}


def choice_enum(name: str, values: tuple[str, ...]) -> Any:
    """The GraphQL enum of an enumerated field (its values as the API writes them: `department`), made once
    per name."""
    made = _ENUMS.get(name)
    if made is None:
        values_of: Any = enum.Enum(name, {v: v for v in values})  # type: ignore[misc]  # made at runtime
        made = _ENUMS[name] = strawberry.enum(values_of, description="One of: " + ", ".join(values) + ".")
    return made


def choices_of(declared: Iterable[Any]) -> dict[str, tuple[str, ...]]:
    """The enumerated fields of a declaration (app/domain/fields.py) and their values."""
    return {f.name: f.choices for f in declared if f.kind == "choice"}


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _graphql_annotation(name: str, annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if annotation is dict or origin is dict:
        return JSON
    if origin is list and typing.get_origin(typing.get_args(annotation)[0]) is dict:
        return list[JSON]
    if name == "id" or name.endswith("_id"):  # an object's id, as `node(id:)` takes it
        return strawberry.ID if annotation is str else strawberry.ID | None
    if name.endswith("_ids") and annotation == list[str]:
        return list[strawberry.ID]
    return annotation


def derive(
    domain_cls: type,
    name: str,
    *,
    description: str,
    exclude: tuple[str, ...] = (),
    base: type = Node,
    choices: Mapping[str, tuple[str, ...]] | None = None,
    declared: Iterable[Field] = (),
) -> type:
    """A Strawberry type with the public fields of a domain dataclass (snake_case becomes camelCase).
    `declared`: the resource's field declarations (app/domain/fields.py: the writable ones and those the API
    sets), which describe its fields and name its enumerated ones; each enumerated field (and each of
    `choices`) is an enum named after the type and the field (`UnitKind`)."""
    hints = typing.get_type_hints(domain_cls)
    private = set(getattr(domain_cls, "private_fields", ())) | set(exclude)
    owner = name.removesuffix("Fields")
    declared = tuple(declared)
    choices = {**choices_of(declared), **(choices or {})}
    described = {f.name: describe(f) for f in declared}
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__module__": __name__, "__doc__": description}
    for f in dataclasses.fields(domain_cls):
        if f.name in private:
            continue
        if described.get(f.name):
            namespace[f.name] = strawberry.field(description=described[f.name])
        if f.name in choices:
            kind = choice_enum(owner + _camel(f.name), choices[f.name])
            annotations[f.name] = kind | None if typing.get_origin(hints[f.name]) is not None else kind
            continue
        annotations[f.name] = _graphql_annotation(f.name, hints[f.name])
    cls = type(name, (base,), {**namespace, "__annotations__": annotations})
    return strawberry.type(cls, description=description)


def instance(gql_type: Any, entity: Any, **extra: Any) -> Any:
    """Fill a derived type from a domain object."""
    names = [f.python_name for f in gql_type.__strawberry_definition__.fields if not f.base_resolver]
    values = {n: getattr(entity, n) for n in names if n not in extra and hasattr(entity, n)}
    values.update({k: v for k, v in extra.items() if k not in values})
    return gql_type(**values)


__all__ = ["JSON", "Node", "choice_enum", "choices_of", "derive", "instance"]
