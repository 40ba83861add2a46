"""What the fuzzing tests share: a real organization with a few objects in it, the Schemathesis
configuration (tests/fuzz/schemathesis.toml plus what the run knows), the run itself and its report.

Schemathesis serves the application in-process (`from_asgi`: one event loop in a thread of its own, the
application's lifespan started, no webhook worker: `create_app` starts none). The objects are seeded
through the API by another instance of the application on another event loop, disposed of before the
fuzzing starts, so that no pooled connection crosses event loops.

The time budget is LIAISON_FUZZ_SECONDS per database engine (REST and GraphQL together; default 60, what
`make test` runs; 0 skips the suite); `make fuzz` raises it. The seed is LIAISON_FUZZ_SEED (fixed by default, so that a run
of `make test` is reproducible; `random` draws one, printed in the report)."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import random
import re
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx

from app.main import create_app
from tests.factories import bearer, token

HERE = Path(__file__).parent
CONFIG = HERE / "schemathesis.toml"

DEFAULT_SECONDS = 60
DEFAULT_SEED = 20_260_101
# Of an engine's budget, REST gets this share and GraphQL the rest.
REST_SHARE = 0.7


def budget_seconds() -> int:
    """Seconds of fuzzing per database engine, REST and GraphQL together."""
    raw = os.environ.get("LIAISON_FUZZ_SECONDS", "").strip()
    seconds = int(raw) if raw else DEFAULT_SECONDS
    if 0 < seconds < 4:
        raise ValueError(f"LIAISON_FUZZ_SECONDS={raw!r}: 0 (no fuzzing) or at least 4 seconds")
    return seconds


def rest_seconds() -> int:
    return max(2, round(budget_seconds() * REST_SHARE))


def graphql_seconds() -> int:
    return max(2, budget_seconds() - rest_seconds())


_SEED: int | None = None


def fuzz_seed() -> int:
    """One seed for the whole pytest run (`random` draws it once)."""
    global _SEED
    if _SEED is None:
        raw = os.environ.get("LIAISON_FUZZ_SEED", "").strip().lower()
        _SEED = random.SystemRandom().randrange(1, 2**31) if raw == "random" else int(raw or DEFAULT_SEED)
    return _SEED


class OfflineResolver:
    """Webhook URLs are resolved by the application to refuse private addresses. Under fuzzing that would
    be a DNS query per generated host name: every name resolves here to one public address instead (IP
    literals to themselves, `*.invalid` to nothing). Nothing is ever sent there: no worker runs."""

    PUBLIC = "93.184.215.14"

    async def addresses(self, host: str, port: int) -> list[str]:
        try:
            ipaddress.ip_address(host)
            return [host]
        except ValueError:
            pass
        if not host or host.rstrip(".").endswith(".invalid"):
            return []
        return [self.PUBLIC]


@dataclass
class Seeded:
    """The organization the fuzzer acts in, and the ids of what was made in it."""

    org_id: str
    ids: dict[str, list[str]] = field(default_factory=dict)
    client_secret: str = ""

    def add(self, kind: str, value: str) -> None:
        self.ids.setdefault(kind, [])
        if value not in self.ids[kind]:
            self.ids[kind].append(value)


async def seed(settings: Any) -> Seeded:
    """An organization (made by the operator, as an integrator's would be) with units, people,
    memberships, an API client, a webhook endpoint (https://example.com/hook) and their events and
    deliveries; through the API, by an application instance of its own."""
    application = create_app(settings)
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)  # type: ignore[arg-type]
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://liaison.test") as c:

            async def call(method: str, url: str, expected: int = 201, **kwargs: Any) -> dict[str, Any]:
                r = await c.request(method, url, **kwargs)
                assert r.status_code == expected, (method, url, r.status_code, r.text)
                body: dict[str, Any] = r.json()
                return body

            platform = bearer(None, "platform:admin")  # minted now: a long run outlives tests.factories.PLATFORM
            org = await call("POST", "/v1/organizations", json={"name": "Fuzz", "slug": "fuzz"}, headers=platform)
            s = Seeded(org_id=org["id"])
            s.add("organization", org["id"])
            h = bearer(org["id"], "admin")
            endpoint = await call(
                "POST",
                "/v1/webhook-endpoints",
                json={"url": "https://example.com/hook", "event_types": ["*"], "description": "fuzz"},
                headers=h,
            )
            s.add("endpoint", endpoint["id"])
            api_client = await call(
                "POST",
                "/v1/api-clients",
                json={"name": "fuzz client", "scopes": ["org:read"], "external_refs": {"erp": "C1"}},
                headers=h,
            )
            s.add("client", api_client["client_id"])
            s.client_secret = api_client["client_secret"]

            company = await call(
                "POST",
                "/v1/units",
                json={"name": "Company", "kind": "company", "external_refs": {"hr": "U1"}},
                headers=h,
            )
            boss = await call(
                "POST",
                "/v1/people",
                json={
                    "given_name": "Ada",
                    "family_name": "Boss",
                    "email": "ada@example.com",
                    "external_refs": {"hr": "E1"},
                },
                headers=h,
            )
            department = await call(
                "POST",
                "/v1/units",
                json={
                    "name": "Sales",
                    "kind": "department",
                    "parent_id": company["id"],
                    "lead_person_id": boss["id"],
                    "external_refs": {"hr": "U2"},
                },
                headers=h,
            )
            team = await call(
                "POST",
                "/v1/units",
                json={"name": "Inside sales", "kind": "team", "parent_id": department["id"]},
                headers=h,
            )
            report = await call(
                "POST",
                "/v1/people",
                json={
                    "given_name": "Bo",
                    "family_name": "Report",
                    "email": "bo@example.com",
                    "title": "Account executive",
                    "manager_id": boss["id"],
                    "external_refs": {"hr": "E2"},
                },
                headers=h,
            )
            for unit in (company, department, team):
                s.add("unit", unit["id"])
            for person in (boss, report):
                s.add("person", person["id"])
            for person, unit, primary in ((boss, department, True), (report, team, True), (report, department, False)):
                m = await call(
                    "POST",
                    "/v1/memberships",
                    json={"person_id": person["id"], "unit_id": unit["id"], "primary": primary},
                    headers=h,
                )
                s.add("membership", m["id"])
            # The external references above, for the upserts' paths (`/by-external-ref/{system}/{external_id}`).
            for system, external_id in (("hr", "U1"), ("hr", "E1"), ("erp", "C1")):
                s.add("system", system)
                s.add("external_id", external_id)
            events = await call("GET", "/v1/events", expected=200, params={"limit": 200}, headers=h)
            for event in events["data"]:
                s.add("event", event["id"])
            deliveries = await call(
                "GET", f"/v1/webhook-endpoints/{endpoint['id']}/deliveries", expected=200, headers=h
            )
            for delivery in deliveries["data"]:
                s.add("delivery", delivery["id"])
            return s
    finally:
        await application.state.db.dispose()


def seed_sync(settings: Any) -> Seeded:
    return asyncio.run(seed(settings))


def tokens(seeded: Seeded, seconds: int) -> dict[str, str]:
    """The organization admin's token and the operator's, both valid for the whole run."""
    exp = int(time.time()) + seconds + 900
    return {
        "LIAISON_FUZZ_TOKEN": token(seeded.org_id, "admin", exp=exp),
        "LIAISON_FUZZ_PLATFORM_TOKEN": token(None, "platform:admin", exp=exp),
    }


# Which dictionary of real ids each parameter draws from half of the time (the other half: generated).
REST_BINDINGS = {
    "unit": [
        "path.unit_id",
        "query.unit_id",
        "query.parent_id",
        "query.root_id",
        "body.unit_id",
        "body.parent_id",
    ],
    "person": [
        "path.person_id",
        "query.person_id",
        "query.manager_id",
        "body.person_id",
        "body.manager_id",
        "body.lead_person_id",
    ],
    "membership": ["path.membership_id"],
    "endpoint": ["path.endpoint_id"],
    "delivery": ["path.delivery_id"],
    "client": ["path.client_id", "body.client_id"],
    "event": ["path.event_id", "query.after"],
    "organization": ["path.organization_id"],
    "system": ["path.system"],
    "external_id": ["path.external_id"],
    "secret": ["body.client_secret"],
    # Values the document leaves free that the API requires in a shape: without them no person is made,
    # and no token is issued.
    "email": ["body.email"],
    "grant_type": ["body.grant_type"],
    "scope": ["body.scope"],
}
GRAPHQL_BINDINGS = {
    "any": ["*.*.id"],
    "unit": ["*.*.parentId", "*.*.rootId", "*.*.input.unitId", "*.*.input.parentId"],
    "person": ["*.*.managerId", "*.*.input.personId", "*.*.input.managerId", "*.*.input.leadPersonId"],
    "email": ["*.*.input.email", "*.*.people.email"],
}
# Fixed dictionaries, beside the seeded ids.
EMAILS = [f"fuzz{i:02}@example.com" for i in range(1, 41)]


def config_data(seeded: Seeded, *, graphql: bool) -> dict[str, Any]:
    """tests/fuzz/schemathesis.toml, with the seeded ids as dictionaries bound to the id parameters."""
    with CONFIG.open("rb") as f:
        data = tomllib.load(f)
    ids = dict(seeded.ids)
    if seeded.client_secret:
        ids["secret"] = [seeded.client_secret]
    ids["any"] = [v for kind in ("unit", "person", "membership", "organization") for v in ids.get(kind, [])]
    ids["email"] = EMAILS
    ids["grant_type"] = ["client_credentials"]
    ids["scope"] = ["org:read"]
    data["dictionaries"] = {kind: {"values": values} for kind, values in ids.items() if values}
    bindings = GRAPHQL_BINDINGS if graphql else REST_BINDINGS
    data["parameters"] = {
        key: {"dictionary": kind, "probability": 0.5}
        for kind, keys in bindings.items()
        if kind in data["dictionaries"]
        for key in keys
    }
    if graphql:
        data.pop("operations", None)  # the REST paths' tokens
        # Status codes, content types and bodies declared per operation are OpenAPI's; GraphQL's own
        # checks, and tests/fuzz/test_graphql_fuzz.py's `graphql_answer`, stand in for them.
        data["checks"] = {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
            "graphql_answer": {"enabled": True},
        }
    return data


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class QuietAccessLog:
    """stderr without the access log's line per request (thousands of them), keeping every other line:
    an error's traceback is what explains a 5xx."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        if '"logger": "liaison.http"' in text and '"level": "info"' in text:
            return len(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


@contextmanager
def quiet_access_log() -> Iterator[None]:
    saved = sys.stderr
    sys.stderr = QuietAccessLog(saved)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stderr = saved


@dataclass
class Outcome:
    """What a run did and found."""

    name: str
    seed: int
    budget: int
    elapsed: float = 0.0
    stop_reason: str = ""
    phases: list[str] = field(default_factory=list)
    cases: int = 0
    operations: int = 0  # that got an answer checked
    total_operations: int = 0  # in the schema
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # Per operation, how many answers of each status class (2xx, 4xx, …): did the fuzzer get through?
    statuses: dict[str, Counter[str]] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"fuzz {self.name}: {self.cases} cases, {self.operations}/{self.total_operations} operations, "
            f"{len(self.failures)} failures, {len(self.errors)} errors in {self.elapsed:.0f} s "
            f"(budget {self.budget} s, seed {self.seed}, stopped: {self.stop_reason}; "
            f"phases {', '.join(self.phases) or 'none'})"
        )

    def table(self) -> str:
        """Answers by operation and status class."""
        classes = sorted({c for counts in self.statuses.values() for c in counts})
        rows = [f"{'operation':<60}" + "".join(f"{c:>8}" for c in classes)]
        for label in sorted(self.statuses):
            rows.append(f"{label:<60}" + "".join(f"{self.statuses[label][c]:>8}" for c in classes))
        return "\n".join(rows)

    def report(self) -> str:
        lines = [self.summary()]
        for i, text in enumerate(self.failures, 1):
            lines += ["", f"--- failure {i} of {len(self.failures)} ---", text]
        for i, text in enumerate(self.errors, 1):
            lines += ["", f"--- error {i} of {len(self.errors)} ---", text]
        return "\n".join(lines)


TESTING = ("examples", "coverage", "fuzzing", "stateful")

# One line per run for the terminal summary (tests/fuzz/conftest.py prints them).
SUMMARIES: list[str] = []


def run(schema: Any, outcome: Outcome, secrets: dict[str, str]) -> Outcome:
    """Runs every enabled phase until done or out of time; collects each distinct failure (one per
    operation, check and kind, as the CLI counts them) with its reproduction."""
    from schemathesis.config import OutputConfig
    from schemathesis.engine import events, from_schema
    from schemathesis.engine.statistic import Statistic

    statistic = Statistic()
    outcome.total_operations = len(schema)
    started = time.monotonic()
    started_at: dict[str, float] = {}
    with quiet_access_log():
        for event in from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
                statistic.on_scenario_finished(event.recorder)
                for case_id, node in event.recorder.cases.items():
                    interaction = event.recorder.interactions.get(case_id)
                    if interaction is not None and interaction.response is not None:
                        label = node.value.operation.label
                        status = f"{interaction.response.status_code // 100}xx"
                        outcome.statuses.setdefault(label, Counter())[status] += 1
            elif isinstance(event, events.PhaseStarted):
                started_at.setdefault(event.phase.name.value, time.monotonic() - started)
            elif isinstance(event, events.PhaseFinished):
                name = event.phase.name.value
                if event.phase.is_enabled and event.status.value != "skip" and name not in outcome.phases:
                    outcome.phases.append(name)
            elif isinstance(event, events.NonFatalError):
                outcome.errors.append(f"{event.label}: {event.info.format()}")
            elif isinstance(event, events.FatalError):
                outcome.errors.append(f"fatal: {event.exception!r}")
            elif isinstance(event, events.EngineFinished):
                outcome.stop_reason = event.stop_reason.value
                if event.failures:
                    statistic.record_run_check_failures(event.failures, label="run checks")
    outcome.elapsed = time.monotonic() - started
    outcome.phases = [f"{name} from {started_at.get(name, 0):.0f} s" for name in outcome.phases if name in TESTING]
    outcome.cases = statistic.total_cases
    outcome.operations = len(statistic.tested_operations)
    output = OutputConfig()
    check_of = {id(failure): check for failure, check in statistic.observed_failures.values()}
    for label, groups in statistic.failures.items():
        for group in groups.values():
            checks = sorted({check_of.get(id(failure), "?") for failure in group.failures})
            text = group.format(index=None, curl=group.code_sample, config=output)
            if group.response is not None:  # e.g. `Idempotent-Replayed: true` says the answer is a replay
                shown = {k: v[0] for k, v in group.response.headers.items() if not k.lower().startswith("ratelimit")}
                text += f"\n\nAnswer headers: {shown}"
            if len(group.steps) > 1:  # a stateful failure: every request that leads to it
                text += "\n\nThe requests that lead to it, in order:\n\n" + "\n".join(
                    f"    {step.curl}" for step in group.steps
                )
            operations = sorted({failure.operation for failure in group.failures if failure.operation})
            if operations and operations != [label]:  # e.g. "Stateful tests": say which operation failed
                label = f"{label}: {', '.join(operations)}"
            outcome.failures.append(f"{label} ({', '.join(checks)})\n{mask(text, secrets)}")
    SUMMARIES.append(outcome.summary())
    return outcome


def mask(text: str, secrets: dict[str, str]) -> str:
    """The tokens as the environment variables that hold them, the in-process host as a real server's."""
    for name, value in secrets.items():
        text = text.replace(value, "$" + name)
    return re.sub(r"http://testserver\b", "http://127.0.0.1:8000", text)


def stop_served_apps() -> None:
    """Schemathesis keeps the applications it served running (their lifespan) until the process ends:
    shut them down, which disposes of their database pools."""
    from schemathesis.python import asgi

    asgi.shutdown_lifespans()
