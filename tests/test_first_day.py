"""An integrator's first day: `liaison demo` seeds what the console shows (the org chart, objectives with
check-ins, handoff analytics, a closed survey's results); `GET /v1/me` says who a token is; `OPTIONS`
answers what a path takes; CORS answers only the configured origins."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from app.main import create_app
from tests.conftest import make_settings
from tests.factories import JWT_SECRET, bearer, make_org

BIN = Path(sys.executable).parent


async def test_the_demo_seeds_every_area(client: httpx.AsyncClient, database_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    env |= {"LIAISON_DATABASE_URL": database_url, "LIAISON_JWT_SECRET": JWT_SECRET, "LIAISON_LOG_LEVEL": "WARNING"}
    done = subprocess.run([str(BIN / "liaison"), "demo"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "[7/7]" in done.stderr  # it shows its progress
    org = re.search(r"Organization (org_\w+) is ready", done.stdout).group(1)  # type: ignore[union-attr]
    token = re.search(r"export TOKEN=(\S+)", done.stdout).group(1)  # type: ignore[union-attr]
    h = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/v1/me", headers=h)).json()["organization"]["id"] == org

    chart = (await client.get("/v1/org-chart", headers=h)).json()
    text = str(chart)
    assert "Northwind" in text and all(d in text for d in ("Sales", "Delivery", "Finance", "Support"))
    people = (await client.get("/v1/people", params={"limit": 200}, headers=h)).json()["data"]
    assert len(people) == 120
    objectives = (await client.get("/v1/objectives", headers=h)).json()["data"]
    assert len(objectives) >= 4 and any(o["progress"] > 0.5 for o in objectives)
    today = datetime.now(UTC).date()
    analytics = (await client.get("/v1/analytics/handoffs", headers=h, params={
        "period_start": (today - timedelta(days=100)).isoformat(), "period_end": today.isoformat()})).json()  # fmt: skip
    assert analytics["data"] and sum(pair["offered"] for pair in analytics["data"]) >= 20
    statuses = {
        x["status"] for x in (await client.get("/v1/handoffs", params={"limit": 200}, headers=h)).json()["data"]
    }
    assert {"draft", "sent", "accepted", "completed", "declined", "waiting", "cancelled"} <= statuses
    (survey,) = (await client.get("/v1/surveys", headers=h)).json()["data"]
    assert survey["status"] == "closed" and survey["responses"] > 30
    results = (await client.get(f"/v1/surveys/{survey['id']}/results", headers=h)).json()
    assert results["responses"] == survey["responses"] and any(not g["suppressed"] for g in results["groups"])
    assert (await client.get("/v1/raci", headers=h)).json()["data"]
    assert (await client.get("/v1/feedback", headers=h)).json()["data"]  # the public feedback


async def test_me_options_and_cors(client: httpx.AsyncClient, database_url: str) -> None:
    org, h = await make_org(client)
    person = (await client.post("/v1/people", json={"given_name": "Ann", "family_name": "Lee",
                                                    "email": "ann@example.com"}, headers=h)).json()["id"]  # fmt: skip
    me = (await client.get("/v1/me", headers=bearer(org, "org:read", person=person))).json()
    assert (
        me["organization"]["id"] == org and me["scopes"] == ["org:read"] and me["person"]["email"] == "ann@example.com"
    )
    assert (await client.get("/v1/me")).status_code == 401

    r = await client.options("/v1/units")
    assert r.status_code == 204 and set(r.headers["allow"].split(", ")) == {"GET", "POST", "OPTIONS"}
    r = await client.options("/v1/units/unit_01J9Z3Q4K6W8X2Y5V7T9R1M3N5")
    assert set(r.headers["allow"].split(", ")) == {"GET", "PATCH", "DELETE", "OPTIONS"}
    assert (await client.request("PUT", "/v1/units")).status_code == 405
    assert (
        "access-control-allow-origin"
        not in (await client.get("/healthz", headers={"Origin": "https://x.example"})).headers
    )

    app: Any = create_app(make_settings(database_url, cors_origins=["https://app.example.com"]))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        pre = await c.options("/v1/units", headers={"Origin": "https://app.example.com",
                                                     "Access-Control-Request-Method": "POST",
                                                     "Access-Control-Request-Headers": "authorization, idempotency-key"})  # fmt: skip
        assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == "https://app.example.com"
        other = await c.options(
            "/v1/units", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        )
        assert "access-control-allow-origin" not in other.headers
    await app.state.db.dispose()


def test_the_production_image_installs_the_runtime_only_at_the_dev_lock_versions() -> None:
    root = Path(__file__).resolve().parents[1]

    def pins(name: str) -> dict[str, str]:
        lines = (root / name).read_text().splitlines()
        return {n.lower(): v for n, _, v in (ln.partition("==") for ln in lines if "==" in ln)}

    runtime, dev = pins("requirements-runtime.lock"), pins("requirements.lock")
    assert runtime and all(dev.get(n) == v for n, v in runtime.items()), "the runtime lock drifted from the dev lock"
    assert not {"pytest", "mypy", "ruff", "schemathesis", "hypothesis"} & set(runtime)
    dockerfile = (root / "Dockerfile").read_text()
    assert "requirements-runtime.lock" in dockerfile and "HEALTHCHECK" not in dockerfile.replace("No HEALTHCHECK", "")


async def test_a_rotated_secret_works_24_hours_more(client: httpx.AsyncClient) -> None:
    from app.domain.clock import set_clock_offset

    _org, h = await make_org(client)
    made = (await client.post("/v1/api-clients", json={"name": "SAP", "scopes": ["org:read"]}, headers=h)).json()
    old = made["client_secret"]

    async def token(secret: str) -> int:
        r = await client.post("/v1/oauth/token", data={"grant_type": "client_credentials",
                                                        "client_id": made["id"], "client_secret": secret})  # fmt: skip
        return r.status_code

    rotated = await client.post(f"/v1/api-clients/{made['id']}/rotate-secret", headers=h)
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["client_secret"]
    assert new != old and rotated.json()["previous_secret_expires_at"]
    assert (await token(new), await token(old)) == (200, 200)
    shown = (await client.get(f"/v1/api-clients/{made['id']}", headers=h)).json()
    assert "client_secret" not in shown and "previous_secret_hash" not in shown
    set_clock_offset(25 * 3600)
    try:
        assert (await token(new), await token(old)) == (200, 401)
    finally:
        set_clock_offset(0)
    events = (await client.get("/v1/events", params={"type": "api_client.*"}, headers=h)).json()["data"]
    assert [e["type"] for e in events] == ["api_client.created", "api_client.secret_rotated"]
    assert old not in str(events) and new not in str(events)


async def test_an_upsert_given_external_refs_of_another_json_type_is_a_user_error(client: httpx.AsyncClient) -> None:
    """The GraphQL fuzzer's finding (`externalRefs: true` was an internal error), as a class: every JSON
    value that is no object, on every upsert by external ref."""
    _org, h = await make_org(client)
    inputs = {
        "upsertUnitByExternalRef": '{name: "Sales", kind: "department", externalRefs: %s}',
        "upsertPersonByExternalRef": '{givenName: "A", familyName: "B", email: "a@b.example", externalRefs: %s}',
    }
    for mutation, template in inputs.items():
        for value in ("true", "1", '"sap"', "[]", "[1, 2]"):
            query = f'mutation {{ {mutation}(system: "sap", externalId: "E1", input: {template % value}) {{ userErrors {{ field code }} }} }}'
            r = await client.post("/graphql", json={"query": query}, headers=h)
            body = r.json()
            assert "errors" not in body, (mutation, value, body)
            assert body["data"][mutation]["userErrors"][0]["field"] == "/external_refs", (mutation, value, body)
