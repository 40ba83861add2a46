"""Schemathesis against /graphql (its schema read by introspection), on both engines, for a share of the
time budget (tests/fuzz/harness.py), as an organization's admin with real ids to draw from. Checks: no
5xx and no internal error; every answer GraphQL JSON, its errors carrying the domain's `extensions.code`
when met while resolving (the contract in README.md: errors outside a mutation carry `extensions.code`)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import graphql.language as gl
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig

from app.graphql.cost import CODE as QUERY_TOO_COSTLY
from app.graphql.errors import CODES, MASKED_MESSAGE
from app.main import create_app
from tests.conftest import empty_tables, make_settings
from tests.fuzz.harness import (
    HERE,
    Outcome,
    budget_seconds,
    config_data,
    environment,
    fuzz_seed,
    graphql_seconds,
    run,
    seed_sync,
    stop_served_apps,
    tokens,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(budget_seconds() == 0, reason="LIAISON_FUZZ_SECONDS=0: no fuzzing"),
]


def _ast(value: Any) -> Any:
    """A JSON value as a GraphQL literal (the JSON scalar's input)."""
    if value is None:
        return gl.NullValueNode()
    if isinstance(value, bool):
        return gl.BooleanValueNode(value=value)
    if isinstance(value, int):
        return gl.IntValueNode(value=str(value))
    if isinstance(value, str):
        return gl.StringValueNode(value=value)
    if isinstance(value, list):
        return gl.ListValueNode(values=tuple(_ast(v) for v in value))
    fields = (gl.ObjectFieldNode(name=gl.NameNode(value=k), value=_ast(v)) for k, v in value.items())
    return gl.ObjectValueNode(fields=tuple(fields))


# The JSON scalar (payloads, questions, answers): any small JSON value, so that operations that require one
# are fuzzed too.
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True), inner, max_size=4)
    ),
    max_leaves=10,
)
schemathesis.graphql.scalar("JSON", JSON_VALUES.map(_ast))

# What a client did wrong, as the API words it; any other error met while resolving is the server's.
CLIENT_CODES = {*CODES.values(), QUERY_TOO_COSTLY, "BAD_REQUEST"}
MEDIA_TYPES = ("application/json", "application/graphql-response+json")


def _is_graphql(case: Any) -> bool:
    return bool(case.operation.schema.specification.kind.value == "graphql")


@schemathesis.check
def graphql_answer(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every answer is GraphQL JSON (https://spec.graphql.org/October2021/#sec-Response-Format): a JSON
    object with `data` and/or a non-empty `errors` list, each error with a `message`; an error with a
    `path` (met while resolving) carries one of the API's codes, and none is the masked internal error."""
    if not _is_graphql(case):
        return None
    media_type = response.headers.get("content-type", [""])[0].split(";")[0].strip().lower()
    assert media_type in MEDIA_TYPES, f"Content-Type {media_type!r} is not GraphQL JSON"
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise AssertionError(f"The body is not JSON: {exc}") from None
    assert isinstance(body, dict), f"The body is a JSON {type(body).__name__}, not an object"
    assert "data" in body or "errors" in body, "The body has neither `data` nor `errors`"
    assert set(body) <= {"data", "errors", "extensions"}, f"Unexpected members: {sorted(set(body))}"
    errors = body.get("errors")
    if errors is not None:
        assert isinstance(errors, list) and errors, "`errors` is not a non-empty list"
        for error in errors:
            assert isinstance(error, dict) and isinstance(error.get("message"), str), f"Malformed error: {error!r}"
            assert error["message"] != MASKED_MESSAGE, f"An internal error: {error!r}"
            code = (error.get("extensions") or {}).get("code")
            if "path" in error:
                assert code in CLIENT_CODES, f"An error met while resolving without the API's code: {error!r}"
    elif body.get("data") is None:
        raise AssertionError("`data` is null and there are no `errors`")
    return None


def _coded(failure: Any) -> bool:
    """Schemathesis takes an error with a `path` for the server's unless its code is one it knows (Apollo's
    and graphql-java's); the API's own codes (NOT_FOUND, CONFLICT, …) say the client is at fault."""
    errors = getattr(failure, "errors", None)
    return bool(errors) and all((e.get("extensions") or {}).get("code") in CLIENT_CODES for e in errors)


def test_graphql_fuzzed(database_url: str, engine_name: str) -> None:
    settings = make_settings(database_url, webhook_allow_private_networks=False)
    seconds = graphql_seconds()
    outcome = Outcome(name=f"graphql [{engine_name}]", seed=fuzz_seed(), budget=seconds)
    try:
        seeded = seed_sync(settings)
        secrets = tokens(seeded, budget_seconds())
        with environment(secrets):
            config = SchemathesisConfig.from_dict(config_data(seeded, graphql=True), base_dir=str(HERE))
        config.update(max_time=seconds, seed=outcome.seed, max_failures=None)
        auth = {"Authorization": "Bearer " + secrets["LIAISON_FUZZ_TOKEN"]}
        schema = schemathesis.graphql.from_asgi("/graphql", create_app(settings), config=config, headers=auth)

        @schema.hook
        def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
            return not (type(failure).__name__ == "GraphQLServerError" and _coded(failure))

        run(schema, outcome, secrets)
    finally:
        stop_served_apps()
        asyncio.run(empty_tables(database_url))
    print(outcome.summary(), outcome.table(), sep="\n")  # shown with -s, or when the test fails
    if outcome.failures or outcome.errors:
        pytest.fail(outcome.report(), pytrace=False)
    assert [p.split()[0] for p in outcome.phases] == ["fuzzing"], outcome.summary()
    assert outcome.operations == outcome.total_operations, outcome.summary()  # each answered and checked
