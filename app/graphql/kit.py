"""The GraphQL resource kit: the mutations every collection has, declared once and wired here, as the REST
kit (app/api/kit.py) does for routes.

A collection declares its noun, the service that holds its rules, its payload and its inputs
(`GraphQLCollection`); `mutation_fields` makes, for each operation it has:

- `create{Noun}(input)`: the service's `create_{noun}`;
- `update{Noun}(id, input, ifMatchVersion)`: `update_{noun}` with the given fields (a merge patch);
- `delete{Noun}(id, ifMatchVersion)`: `delete_{noun}`;
- `upsert{Noun}ByExternalRef(system, externalId, input)`: `upsert_{noun}`;

each in its own write transaction, answering `{<object>, userErrors}` (app/graphql/mutations/common.py).
Mutations that are not CRUD (a handoff's actions, ending a membership) stay hand-written beside the
registration. This module keeps real annotations (no `from __future__ import annotations`): Strawberry reads
the resolvers' signatures, which name each collection's own input and payload types."""

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import strawberry
from strawberry.types.field import StrawberryField

from app.graphql.mutations.common import UserError, run_service
from app.graphql.types.inputs import for_create, given

OPERATIONS = ("create", "update", "delete", "upsert")


def payload(name: str, field: str, object_type: Any, description: str | None = None) -> Any:
    """`{<field>: <object_type>, userErrors}`: what a mutation of one object answers."""
    annotations = {field: object_type | None, "user_errors": list[UserError]}
    return strawberry.type(type(name, (), {"__annotations__": annotations}), description=description)


def deleted(name: str, field: str) -> Any:
    """`{<field>: ID, userErrors}`: what a deletion answers (the id, null when nothing was deleted)."""
    annotations = {field: strawberry.ID | None, "user_errors": list[UserError]}
    return strawberry.type(type(name, (), {"__annotations__": annotations, "id_field": field}))


def _camel(noun: str) -> str:
    return "".join(part.capitalize() for part in noun.split("_"))


@dataclasses.dataclass(frozen=True)
class GraphQLCollection:
    noun: str  # "role": createRole, …; the service's create_role, …; the payload RolePayload {role, userErrors}
    service: Callable[..., Any]  # made with the mutation's unit of work and principal: Roles(uow, principal)
    object_type: Any  # the GraphQL type of the object: Role
    convert: Callable[[Any], Any]  # the domain object as its GraphQL type (None stays None)
    rest: str  # "/v1/roles": the operations are described as the same as REST's
    create_input: Any = None
    update_input: Any = None
    delete_payload: Any = None  # from `deleted()`; the collection has delete{Noun} when given
    upsert: bool = False
    descriptions: Mapping[str, str] = dataclasses.field(default_factory=dict)  # by operation, else REST's words
    payload: Any = None  # made from the noun and the object type

    def __post_init__(self) -> None:
        if self.payload is None:
            described = f"The {self.noun.replace('_', ' ')} a mutation made or changed, or `userErrors` saying why not."
            made = payload(f"{_camel(self.noun)}Payload", self.noun, self.object_type, described)
            object.__setattr__(self, "payload", made)


def _answer(c: GraphQLCollection, found: Any, errors: list[UserError]) -> Any:
    return c.payload(**{c.noun: c.convert(found), "user_errors": errors})


def _create(c: GraphQLCollection) -> Any:
    async def create(info: strawberry.Info, input: c.create_input) -> c.payload:  # type: ignore[name-defined]
        found, errors = await run_service(info, c.service, lambda s: getattr(s, f"create_{c.noun}")(for_create(input)))
        return _answer(c, found, errors)

    return create


def _update(c: GraphQLCollection) -> Any:
    async def update(
        info: strawberry.Info,
        id: strawberry.ID,
        input: c.update_input,  # type: ignore[name-defined]
        if_match_version: int | None = None,
    ) -> c.payload:  # type: ignore[name-defined]
        found, errors = await run_service(
            info, c.service, lambda s: getattr(s, f"update_{c.noun}")(str(id), given(input), if_match_version)
        )
        return _answer(c, found, errors)

    return update


def _delete(c: GraphQLCollection) -> Any:
    async def delete(info: strawberry.Info, id: strawberry.ID, if_match_version: int | None = None) -> c.delete_payload:  # type: ignore[name-defined]
        _, errors = await run_service(
            info, c.service, lambda s: getattr(s, f"delete_{c.noun}")(str(id), if_match_version)
        )
        return c.delete_payload(**{c.delete_payload.id_field: None if errors else id, "user_errors": errors})

    return delete


def _upsert(c: GraphQLCollection) -> Any:
    async def upsert(
        info: strawberry.Info,
        system: str,
        external_id: str,
        input: c.create_input,  # type: ignore[name-defined]
    ) -> c.payload:  # type: ignore[name-defined]
        result, errors = await run_service(
            info, c.service, lambda s: getattr(s, f"upsert_{c.noun}")(system, external_id, given(input))
        )
        return _answer(c, result[0] if result else None, errors)

    return upsert


_REST = {
    "create": "The same as POST {rest}.",
    "update": "The same as PATCH {rest}/{{id}}. `ifMatchVersion` refuses a stale change.",
    "delete": "The same as DELETE {rest}/{{id}}.",
    "upsert": "The same as PUT {rest}/by-external-ref/{{system}}/{{id}}: create or update by another system's id.",
}


def mutation_fields(c: GraphQLCollection) -> dict[str, StrawberryField]:
    """The collection's mutations, by their Python names (`create_role`, …, `upsert_role_by_external_ref`)."""
    wanted = {
        "create": c.create_input is not None,
        "update": c.update_input is not None,
        "delete": c.delete_payload is not None,
        "upsert": c.upsert,
    }
    makers = {"create": _create, "update": _update, "delete": _delete, "upsert": _upsert}
    out: dict[str, StrawberryField] = {}
    for op in OPERATIONS:
        if not wanted[op]:
            continue
        name = f"{op}_{c.noun}" + ("_by_external_ref" if op == "upsert" else "")
        description = c.descriptions.get(op) or _REST[op].format(rest=c.rest)
        resolver = makers[op](c)
        resolver.__name__ = name
        out[name] = strawberry.mutation(resolver=resolver, description=description)
    return out


def mutations(name: str, *collections: GraphQLCollection) -> Any:
    """A Strawberry type holding the collections' mutations: the base of an area's `…Mutation` type, which
    adds the area's other mutations by subclassing it."""
    namespace: dict[str, Any] = {}
    for c in collections:
        namespace.update(mutation_fields(c))
    return strawberry.type(type(name, (), namespace))


__all__ = ["GraphQLCollection", "deleted", "mutation_fields", "mutations", "payload"]
