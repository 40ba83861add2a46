"""GraphQL and SCIM read their bodies with orjson, which reads an integer beyond 64 bits as a float; the
shared reader (app/jsonbody.py) keeps every literal as it was written, as REST's does, and stays strict."""

from __future__ import annotations

import json

import pytest

from app import jsonbody
from app.domain.text import depth_of


@pytest.mark.parametrize("number", [2**64, 2**70, -(2**63) - 1, -(2**65), 10**30])
def test_an_integer_beyond_64_bits_stays_an_integer(number: int) -> None:
    raw = json.dumps({"variables": {"input": {"payload": {"n": number}}}, "query": "x"}).encode()
    assert jsonbody.loads(raw)["variables"]["input"]["payload"]["n"] == number
    assert type(jsonbody.loads(raw)["variables"]["input"]["payload"]["n"]) is int


@pytest.mark.parametrize("raw", [b'{"n": 1e21}', b'{"n": 12345678901234567890.5}', b'{"s": "12345678901234567890"}'])
def test_floats_and_strings_stay_what_they_were(raw: bytes) -> None:
    assert jsonbody.loads(raw) == json.loads(raw)


def test_what_orjson_cannot_write_is_written() -> None:
    assert json.loads(jsonbody.dumps({"cost": 2**70, "s": "é"})) == {"cost": 2**70, "s": "é"}


def test_depth_is_measured_without_recursion() -> None:
    """The bound every transport puts on a body's nesting (SCIM's, GraphQL's variables) is read by one walk."""
    deep: object = 1
    for _ in range(100_000):
        deep = [deep]
    assert depth_of(deep) == 100_000
    assert depth_of({"a": [1, {"b": 2}]}) == 3
    assert depth_of("x") == 0


@pytest.mark.parametrize(
    "raw",
    [
        b'{"s": "\\ud800", "n": 12345678901234567890}',  # a lone surrogate
        b'{"n": NaN, "m": 12345678901234567890}',
        b"[" * 1000 + b"12345678901234567890" + b"]" * 1000,  # deeper than the json module reads
        b'{"n": 12345678901234567890',
    ],
)
def test_what_orjson_refuses_stays_refused(raw: bytes) -> None:
    with pytest.raises(jsonbody.JSONDecodeError):
        jsonbody.loads(raw)
