"""A resource's writable fields and their constraints, declared once as data (`Field`), and the one check
that both transports' input goes through (`check_fields`): a field's error code and pointer are the same
whatever the transport. Objectives and key results are declared this way (app/domain/objectives)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.domain.errors import ErrorList
from app.domain.ids import PREFIXES
from app.domain.model import check_external_refs, check_links
from app.domain.text import MAX_DEPTH, name_problem, text_problem, visible

MAX_NUMBER = 1e15  # a metric's values: far beyond any count or amount, and exact in a double up to here
# The days a period may name: wide enough for any plan, narrow enough that arithmetic on them in any time
# zone stays within the calendar (date.min and date.max are a day away from overflowing).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
FIRST_INSTANT = datetime(1900, 1, 1, tzinfo=UTC)
LAST_INSTANT = datetime(2999, 12, 31, tzinfo=UTC)
# ISO 8601 durations of a fixed length: weeks, days, hours, minutes, seconds (P2D, PT4H, P1DT12H, PT0.5S).
# Years and months are refused: their length varies with the calendar.
DURATION_RE = re.compile(
    r"P(?:(\d{1,4})W)?(?:(\d{1,5})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,7})M)?(?:(\d{1,8}(?:\.\d{1,6})?)S)?)?",
    re.ASCII,  # ASCII digits only: `PT４H` is no duration
)
MAX_DURATION = timedelta(days=3650)
INT64 = 2**63


def json_problem(value: Any, depth: int = 0) -> str | None:
    """Why a free JSON value cannot be stored and given back as it was sent: integers beyond 64 bits,
    numbers that are not finite, nesting deeper than MAX_DEPTH. None when it can."""
    if depth > MAX_DEPTH:
        return f"must not nest deeper than {MAX_DEPTH} levels"
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return None
    if isinstance(value, int):
        return None if -INT64 <= value < INT64 else "must hold integers of at most 64 bits"
    if isinstance(value, float):
        return None if math.isfinite(value) else "must hold finite numbers only"
    if isinstance(value, dict):
        items: list[Any] = list(value.values())
    elif isinstance(value, list):
        items = value
    else:
        return "must be JSON"
    for item in items:
        problem = json_problem(item, depth + 1)
        if problem:
            return problem
    return None


def parse_duration(value: Any) -> timedelta | None:
    """The duration an ISO 8601 string of fixed length names (more than zero, at most ten years); None when
    it names none."""
    if not isinstance(value, str) or value in ("P", "PT") or value.endswith("T"):
        return None
    found = DURATION_RE.fullmatch(value)
    if found is None:
        return None
    weeks, days, hours, minutes, seconds = (float(g) if g else 0.0 for g in found.groups())
    span = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    return span if timedelta(0) < span <= MAX_DURATION else None


EXAMPLE_NULL = ("null",)  # a field's documented example is null (one of two fields that exclude each other)


@dataclass(frozen=True)
class Field:
    """One field of a resource, declared once: both transports' schemas, inputs and documentation are derived
    from it, and `check_fields` holds every input to it. `kind`: name (one line), text (several lines), choice,
    ref (an id of `prefix`), refs (a list of ids of `prefix`), lines (a list of at most `max_items` names of
    at most `limit` characters), date, instant, duration, number (finite, within [low, high]), integer (a
    whole number within [low, high]), bool, json, checklist, questions, links, external_refs."""

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
    not_before: str = ""  # a date field that may not come before this other one (ends_on after starts_on)
    first: tuple[str, ...] = ()  # a choice's values on creation, when fewer (a new objective: draft or active)
    kept: bool = False  # a PUT by external ref that leaves it out keeps it (else it takes its default)
    description: str = ""  # what it means, for the API's documentation (both transports)
    example: Any = None  # a value for the documentation; None: one made from the kind; EXAMPLE_NULL: null


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
        elif f.not_before and _before(value, fields.get(f.not_before)):
            errors.add(at, f"must not be before {f.not_before}")
        elif creating and f.first and value not in f.first:
            errors.add(at, f"must be one of: {', '.join(f.first)} on creation")


def _before(value: Any, other: Any) -> bool:
    """Whether a date (or instant) comes before another of its kind; False when either is missing or wrong."""
    same_kind = isinstance(value, date) and type(value) is type(other)
    return same_kind and value < other


def _problem(f: Field, value: Any, errors: ErrorList, at: str, fields: dict[str, Any]) -> str | None:
    if f.kind == "name":
        return name_problem(value, f.limit)
    if f.kind == "text":
        problem = text_problem(value, f.limit)
        if problem is None and f.required and not visible(value):
            return "must contain a visible character"
        return problem
    if f.kind == "choice":
        return None if isinstance(value, str) and value in f.choices else f"must be one of: {', '.join(f.choices)}"
    if f.kind == "ref":
        return None if _is_id(value, f.prefix) else f"must be the id of {_noun(f.prefix)}"
    if f.kind == "refs":
        if not isinstance(value, list) or len(value) > f.max_items or not all(_is_id(v, f.prefix) for v in value):
            return f"must be a list of at most {f.max_items} ids of {_noun(f.prefix)}"
        return None if len(set(value)) == len(value) else "must not name the same id twice"
    if f.kind == "lines":
        if not isinstance(value, list) or len(value) > f.max_items:
            return f"must be a list of at most {f.max_items} lines"
        for i, line in enumerate(value):
            problem = name_problem(line, f.limit)
            if problem:
                errors.add(f"{at}/{i}", problem)
        return None
    if f.kind == "date":
        if isinstance(value, date) and FIRST_DAY <= value <= LAST_DAY:
            return None
        return f"must be a date (YYYY-MM-DD) from {FIRST_DAY} to {LAST_DAY}"
    if f.kind == "instant":
        ok = isinstance(value, datetime) and value.tzinfo is not None
        if ok and FIRST_INSTANT <= value <= LAST_INSTANT:
            return None
        return "must be an RFC 3339 instant with its offset, from 1900 to 2999"
    if f.kind == "duration":
        return (
            None
            if parse_duration(value)
            else "must be an ISO 8601 duration in weeks, days, hours, minutes or seconds (PT4H, P2D), up to ten years"
        )
    if f.kind == "json":
        if not isinstance(value, dict):
            return "must be a JSON object"
        problem = json_problem(value)
        if problem:
            return problem
        size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
        return None if size <= f.limit else f"must be at most {f.limit} bytes of JSON"
    if f.kind == "checklist":
        return _checklist(value, f, errors, at)
    if f.kind == "questions":
        from app.domain.feedback.model import check_questions

        check_questions(value, errors, at, f.max_items)
        return None
    if f.kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if ok and f.low <= value <= f.high:
            return None
        return f"must be a number from {_show(f.low)} to {_show(f.high)}"
    if f.kind == "integer":
        ok = (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
        if ok and f.low <= value <= f.high:
            return None
        return f"must be a whole number from {_show(f.low)} to {_show(f.high)}"
    if f.kind == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    if f.kind == "links":
        fields[f.name] = check_links(value, errors, at)
        return None
    if f.kind == "external_refs":
        check_external_refs(value, errors, at)
        return None
    raise ValueError(f"unknown field kind {f.kind!r}")


def _checklist(value: Any, f: Field, errors: ErrorList, at: str) -> str | None:
    """`[{item, done, required}]`: an item of at most 500 characters, done and required default false."""
    if not isinstance(value, list) or len(value) > f.max_items:
        return f"must be a list of at most {f.max_items} items"
    for i, entry in enumerate(value):
        if not isinstance(entry, dict) or set(entry) - {"item", "done", "required"}:
            errors.add(f"{at}/{i}", "must be an object with item, done and required")
            continue
        problem = name_problem(entry.get("item"), 500)
        if problem:
            errors.add(f"{at}/{i}/item", problem)
        for flag in ("done", "required"):
            if not isinstance(entry.get(flag, False), bool):
                errors.add(f"{at}/{i}/{flag}", "must be true or false")
    return None


def _is_id(value: Any, prefix: str) -> bool:
    return isinstance(value, str) and value.startswith(prefix + "_") and 0 < len(value) <= 40


def _noun(prefix: str) -> str:
    """The kind of object, with its article: `a unit`, `an objective`."""
    return with_article(PREFIXES.get(prefix, prefix))


def with_article(kind: str) -> str:
    """`unit` → `a unit`, `key_result` → `a key result`, `objective` → `an objective`."""
    noun = kind.replace("_", " ")
    return ("an " if noun[:1] in ("a", "e", "i", "o", "u") else "a ") + noun


def _show(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def stored(fields: dict[str, Any], declared: Iterable[Field], given: Iterable[str] | None = None) -> dict[str, Any]:
    """The declared fields as an object keeps them, from a checked creation or a merged change: a name
    without the spaces around it, a number a float, a whole number an int, a list a copy of its own (lines
    stripped, questions with their four keys), a field that is absent None. `given`: for a change, the fields
    the request sent; the others are kept as they are (a PATCH of one field rewrites no other)."""
    sent = None if given is None else set(given)
    out: dict[str, Any] = {}
    for f in declared:
        value = fields.get(f.name)
        if value is not None and (sent is None or f.name in sent):
            value = _KEPT_AS.get(f.kind, _as_is)(value)
        out[f.name] = value
    return out


def _as_is(value: Any) -> Any:
    return value


_KEPT_AS: dict[str, Any] = {
    "name": str.strip,
    "number": float,
    "integer": int,
    "refs": list,
    "lines": lambda lines: [line.strip() for line in lines],
    "questions": lambda questions: [
        {"id": q.get("id"), "text": q.get("text"), "type": q.get("type"), "choices": q.get("choices")}
        for q in questions
    ],
}


def writable(declared: Iterable[Field]) -> tuple[str, ...]:
    return tuple(f.name for f in declared)


def only(declared: Iterable[Field], names: Iterable[str]) -> tuple[Field, ...]:
    """The declarations of the named fields (those a change may write), in their declared order."""
    kept = set(names)
    return tuple(f for f in declared if f.name in kept)


_DESCRIBED_BY_KIND = {
    "links": "`[{title, url, kind}]`: the documents, tickets and channels behind the work (at most 50).",
    "external_refs": 'Other systems\' ids for it, `{system: id}` (`{"sap": "E1042"}`); unique per system.',
    "checklist": "`[{item, done, required}]`: `complete` needs every required item done.",
    "duration": "An ISO 8601 duration in weeks, days, hours, minutes or seconds (`PT4H`, `P2D`).",
    "instant": "An RFC 3339 instant with its offset.",
}


def describe(f: Field) -> str:
    """The field's documentation, in both transports: its declared description, else what its kind says,
    with its range when it has one."""
    if f.description:
        text = f.description
    elif f.kind == "ref":
        text = f"The id of {_noun(f.prefix)}."
    elif f.kind == "refs":
        text = f"Ids of {_noun(f.prefix).split(' ', 1)[1]}s, at most {f.max_items}."
    elif f.kind == "choice":
        text = "One of: " + ", ".join(f.choices) + "."
    elif f.kind == "name":
        text = f"One line, at most {f.limit} characters."
    elif f.kind == "text":
        text = f"At most {f.limit:,} characters."
    else:
        text = _DESCRIBED_BY_KIND.get(f.kind, "")
    if f.kind in ("number", "integer") and f.low > -MAX_NUMBER:
        text = f"{text} From {_show(f.low)} to {_show(f.high)}.".strip()
    return text


def replacement_defaults(declared: Iterable[Field], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """What a field a PUT by external ref leaves out becomes: its creation default, unless it is `kept`."""
    kept = {f.name for f in declared if f.kept}
    return {k: v for k, v in defaults.items() if k not in kept}
