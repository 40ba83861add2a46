"""Requests' JSON, read the same way by every transport that parses its own body (GraphQL, SCIM; REST's
FastAPI uses the json module, which keeps integers exact).

orjson is strict (UTF-8 only, no lone surrogates, no NaN) and fast, but it reads an integer literal outside
[-2**63, 2**64) as a float: `2**70` would arrive as `1.1805916207174113e+21`, silently not what was sent,
where REST refuses it. Such a literal has at least 19 digits in a row; a body holding such a run (rare: ids
and amounts are shorter) is read again by the json module, which keeps every literal's kind, once orjson
has found it well-formed. `dumps` writes what orjson cannot (an integer beyond 64 bits) with the json
module."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

JSONDecodeError = orjson.JSONDecodeError
_LONG_DIGITS = re.compile(rb"\d{19}")


def loads(raw: bytes | str) -> Any:
    value = orjson.loads(raw)
    data = raw.encode() if isinstance(raw, str) else raw
    if _LONG_DIGITS.search(data) is None:
        return value
    try:
        return json.loads(data)
    except RecursionError as exc:  # nesting orjson takes (up to 1024 levels) and the json module does not
        raise JSONDecodeError("The body nests too deeply.", data.decode(errors="replace"), 0) from exc


def dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:  # an integer beyond 64 bits
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode()


__all__ = ["JSONDecodeError", "dumps", "loads"]
