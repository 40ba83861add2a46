"""GraphQL object types derived from the domain's dataclasses, so that a field is declared once."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

import strawberry
from strawberry.scalars import JSON


@strawberry.interface(description="An object with a global id: the same id as in REST.")
class Node:
    id: strawberry.ID


def _graphql_annotation(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if annotation is dict or origin is dict:
        return JSON
    if origin is list and typing.get_origin(typing.get_args(annotation)[0]) is dict:
        return list[JSON]
    return annotation


def derive(domain_cls: type, name: str, *, description: str, exclude: tuple[str, ...] = (), base: type = Node) -> type:
    """A Strawberry type with the public fields of a domain dataclass (snake_case becomes camelCase)."""
    hints = typing.get_type_hints(domain_cls)
    private = set(getattr(domain_cls, "private_fields", ())) | set(exclude)
    annotations: dict[str, Any] = {}
    for f in dataclasses.fields(domain_cls):
        if f.name in private:
            continue
        annotations[f.name] = strawberry.ID if f.name == "id" else _graphql_annotation(hints[f.name])
    cls = type(name, (base,), {"__annotations__": annotations, "__module__": __name__, "__doc__": description})
    return strawberry.type(cls, description=description)


def instance(gql_type: Any, entity: Any, **extra: Any) -> Any:
    """Fill a derived type from a domain object."""
    names = [f.python_name for f in gql_type.__strawberry_definition__.fields if not f.base_resolver]
    values = {n: getattr(entity, n) for n in names if n not in extra and hasattr(entity, n)}
    values.update({k: v for k, v in extra.items() if k not in values})
    return gql_type(**values)


__all__ = ["JSON", "Node", "derive", "instance"]
