"""Filters on JSON lists of ids (an objective's contributing units), written for each engine: one
statement whatever the list's length, as `any_of` does for columns."""

from __future__ import annotations

from typing import Any

from app.repo.sql import IdList, _ColumnAndParameter


class HasElement(_ColumnAndParameter):
    """`column` (a JSON list of strings) holds the parameter."""

    inherit_cache = True
    sql = {
        "postgresql": "EXISTS (SELECT 1 FROM jsonb_array_elements_text({column}) AS e WHERE e = {param})",
        "sqlite": "EXISTS (SELECT 1 FROM json_each({column}) WHERE value = {param})",
    }


def has_element(column: Any, name: str) -> HasElement:
    return HasElement(column, name)


class HasAnyElement(_ColumnAndParameter):
    """`column` (a JSON list of strings) holds one of the parameter's list (one parameter, like AnyOf)."""

    inherit_cache = True
    param_type = IdList
    sql = {
        "postgresql": "EXISTS (SELECT 1 FROM jsonb_array_elements_text({column}) AS e WHERE e = ANY({param}))",
        "sqlite": "EXISTS (SELECT 1 FROM json_each({column}) WHERE value IN (SELECT value FROM json_each({param})))",
    }


def has_any_element(column: Any, name: str) -> HasAnyElement:
    return HasAnyElement(column, name)
