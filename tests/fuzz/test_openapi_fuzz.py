"""Schemathesis against the served OpenAPI document (/openapi.json), on both engines: the examples,
coverage, fuzzing and stateful phases for a time budget (tests/fuzz/harness.py), as an organization's
admin (the operator for /v1/organizations), in an organization with real objects whose ids the id
parameters draw from. Checks: no 5xx, every status code, content type and body as the document declares.
Any failure fails the test, with a curl line that reproduces it."""

from __future__ import annotations

import asyncio

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from app.main import create_app
from tests.conftest import empty_tables, make_settings
from tests.fuzz.harness import (
    HERE,
    Outcome,
    budget_seconds,
    config_data,
    environment,
    fuzz_seed,
    rest_seconds,
    run,
    seed_sync,
    stop_served_apps,
    tokens,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(budget_seconds() == 0, reason="LIAISON_FUZZ_SECONDS=0: no fuzzing"),
]


def test_openapi_document_fuzzed(database_url: str, engine_name: str) -> None:
    settings = make_settings(database_url, webhook_allow_private_networks=False)
    seconds = rest_seconds()
    outcome = Outcome(name=f"openapi [{engine_name}]", seed=fuzz_seed(), budget=seconds)
    try:
        seeded = seed_sync(settings)
        secrets = tokens(seeded, budget_seconds())
        with environment(secrets):  # the configuration's ${LIAISON_FUZZ_TOKEN} and ${LIAISON_FUZZ_PLATFORM_TOKEN}
            config = SchemathesisConfig.from_dict(config_data(seeded, graphql=False), base_dir=str(HERE))
        config.update(max_time=seconds, seed=outcome.seed, max_failures=None)
        schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(settings), config=config)
        run(schema, outcome, secrets)
    finally:
        stop_served_apps()
        asyncio.run(empty_tables(database_url))
    print(outcome.summary(), outcome.table(), sep="\n")  # shown with -s, or when the test fails
    if outcome.failures or outcome.errors:
        pytest.fail(outcome.report(), pytrace=False)
    phases = [p.split()[0] for p in outcome.phases]
    # Examples and coverage run to their end; fuzzing and stateful then share what is left, so that a
    # budget of a few seconds (a smoke run) may end before the stateful phase starts.
    expected = ["examples", "coverage", "fuzzing", "stateful"] if seconds >= 30 else ["examples", "coverage"]
    assert phases[: len(expected)] == expected, outcome.summary()
    assert outcome.operations == outcome.total_operations, outcome.summary()  # each answered and checked
