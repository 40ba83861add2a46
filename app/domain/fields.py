"""A resource's writable fields and their constraints, declared once as data (`Field`), and the one check
that both transports' input goes through (`check_fields`): a field's error code and pointer are the same
whatever the transport. Objectives and key results are declared this way (app/domain/objectives)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.domain.errors import ErrorList
from app.domain.ids import PREFIXES
from app.domain.model import check_external_refs, check_links
from app.domain.text import name_problem, text_problem

MAX_NUMBER = 1e15  # a metric's values: far beyond any count or amount, and exact in a double up to here
# The days a period may name: wide enough for any plan, narrow enough that arithmetic on them in any time
# zone stays within the calendar (date.min and date.max are a day away from overflowing).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


@dataclass(frozen=True)
class Field:
    """One writable field. `kind`: name (one line), text (several lines), choice, ref (an id of `prefix`),
    refs (a list of ids of `prefix`), date, number (finite, within [low, high]), links, external_refs."""

    name: str
    kind: str
    required: bool = False  # on create; a field with a default is filled before the check
    limit: int = 200
    choices: tuple[str, ...] = ()
    prefix: str = ""
    low: float = -MAX_NUMBER
    high: float = MAX_NUMBER
    nullable: bool = True  # whether null is a value once the object exists (a merge patch's null)
    max_items: int = 50


def check_fields(
    fields: dict[str, Any], declared: Iterable[Field], errors: ErrorList, pointer: str = "", *, creating: bool
) -> None:
    """Check the fields present in `fields` (all of them, and the required ones, when `creating`); values
    that are normalised (links) are written back."""
    for f in declared:
        at = f"{pointer}/{f.name}"
        if fields.get(f.name) is None:
            if (creating and f.required) or (f.name in fields and not f.nullable):
                errors.add(at, "is required" if f.name not in fields else "must not be null", "required")
            continue
        value = fields[f.name]
        problem = _problem(f, value, errors, at, fields)
        if problem:
            errors.add(at, problem)


def _problem(f: Field, value: Any, errors: ErrorList, at: str, fields: dict[str, Any]) -> str | None:
    if f.kind == "name":
        return name_problem(value, f.limit)
    if f.kind == "text":
        return text_problem(value, f.limit)
    if f.kind == "choice":
        return None if isinstance(value, str) and value in f.choices else f"must be one of: {', '.join(f.choices)}"
    if f.kind == "ref":
        return None if _is_id(value, f.prefix) else f"must be the id of a {_noun(f.prefix)}"
    if f.kind == "refs":
        if not isinstance(value, list) or len(value) > f.max_items or not all(_is_id(v, f.prefix) for v in value):
            return f"must be a list of at most {f.max_items} ids of a {_noun(f.prefix)}"
        return None if len(set(value)) == len(value) else "must not name the same id twice"
    if f.kind == "date":
        if isinstance(value, date) and FIRST_DAY <= value <= LAST_DAY:
            return None
        return f"must be a date (YYYY-MM-DD) from {FIRST_DAY} to {LAST_DAY}"
    if f.kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if ok and f.low <= value <= f.high:
            return None
        return f"must be a number from {_show(f.low)} to {_show(f.high)}"
    if f.kind == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    if f.kind == "links":
        fields[f.name] = check_links(value, errors, at)
        return None
    if f.kind == "external_refs":
        check_external_refs(value, errors, at)
        return None
    raise ValueError(f"unknown field kind {f.kind!r}")


def _is_id(value: Any, prefix: str) -> bool:
    return isinstance(value, str) and value.startswith(prefix + "_") and 0 < len(value) <= 40


def _noun(prefix: str) -> str:
    return PREFIXES.get(prefix, prefix).replace("_", " ")


def _show(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def writable(declared: Iterable[Field]) -> tuple[str, ...]:
    return tuple(f.name for f in declared)
