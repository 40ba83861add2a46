"""The two resource kits agree: every collection REST registers (app/api/kit.py) has, in GraphQL
(app/graphql/kit.py), the same operations under the names an SDK expects (`createUnit`, `updateUnit`,
`deleteUnit`, `upsertUnitByExternalRef`), and no more."""

from __future__ import annotations

import importlib
import pkgutil

from graphql import build_schema

import app.api.routers
from app.api.kit import Collection
from app.graphql.kit import GraphQLCollection
from app.graphql.schema import schema_sdl

GRAPHQL_NAMES = {"create": "create{}", "update": "update{}", "delete": "delete{}", "upsert": "upsert{}ByExternalRef"}


def _collections() -> list[Collection]:
    found = []
    for module in pkgutil.iter_modules(app.api.routers.__path__):
        loaded = importlib.import_module(f"app.api.routers.{module.name}")
        found += [v for v in vars(loaded).values() if isinstance(v, Collection)]
    return found


def _camel(noun: str) -> str:
    return "".join(part.capitalize() for part in noun.split("_"))


def test_every_rest_collection_has_the_same_mutations_in_graphql() -> None:
    mutation = build_schema(schema_sdl()).mutation_type
    assert mutation is not None
    collections = _collections()
    assert len(collections) >= 14
    missing = []
    for c in collections:
        for op, pattern in GRAPHQL_NAMES.items():
            name = pattern.format(_camel(c.noun))
            if (op in c.docs) != (name in mutation.fields):
                missing.append(f"{c.path}: REST {'has' if op in c.docs else 'lacks'} {op}, GraphQL {name}")
    assert not missing, missing


def test_every_graphql_collection_is_a_rest_collection() -> None:
    nouns = {c.noun for c in _collections()}
    for module in pkgutil.iter_modules(importlib.import_module("app.graphql.mutations").__path__):
        loaded = importlib.import_module(f"app.graphql.mutations.{module.name}")
        for value in vars(loaded).values():
            if isinstance(value, GraphQLCollection):
                assert value.noun in nouns, value.noun
