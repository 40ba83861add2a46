"""Filters on JSON lists of ids (an objective's contributing units), compiled for each engine: one
statement whatever the list's length, as `any_of` does for columns."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles

from app.repo.sql import IdList, _ColumnAndParameter


class HasElement(_ColumnAndParameter):
    """`column` (a JSON list of strings) holds the parameter."""

    inherit_cache = True


@compiles(HasElement, "postgresql")
def _has_element_pg(element: HasElement, compiler: Any, **kw: Any) -> str:
    column, param = compiler.process(element.column, **kw), compiler.process(element.param, **kw)
    return f"EXISTS (SELECT 1 FROM jsonb_array_elements_text({column}) AS e WHERE e = {param})"  # noqa: S608


@compiles(HasElement, "sqlite")
def _has_element_sqlite(element: HasElement, compiler: Any, **kw: Any) -> str:
    column, param = compiler.process(element.column, **kw), compiler.process(element.param, **kw)
    return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE value = {param})"  # noqa: S608


def has_element(column: Any, name: str) -> HasElement:
    return HasElement(column, name)


class HasAnyElement(_ColumnAndParameter):
    """`column` (a JSON list of strings) holds one of the parameter's list (one parameter, like AnyOf)."""

    inherit_cache = True
    param_type = IdList


@compiles(HasAnyElement, "postgresql")
def _has_any_pg(element: HasAnyElement, compiler: Any, **kw: Any) -> str:
    column, param = compiler.process(element.column, **kw), compiler.process(element.param, **kw)
    return f"EXISTS (SELECT 1 FROM jsonb_array_elements_text({column}) AS e WHERE e = ANY({param}))"  # noqa: S608


@compiles(HasAnyElement, "sqlite")
def _has_any_sqlite(element: HasAnyElement, compiler: Any, **kw: Any) -> str:
    column, param = compiler.process(element.column, **kw), compiler.process(element.param, **kw)
    return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE value IN (SELECT value FROM json_each({param})))"  # noqa: S608


def has_any_element(column: Any, name: str) -> HasAnyElement:
    return HasAnyElement(column, name)
