"""Every request takes one path: this measures it, route by route, against a bare Starlette app on the
driver that runs the same SQL by hand and answers the same JSON (bench/bare_paths_app.py), side by side
in one run (A B A B…, medians of 3 rounds), 16 connections from wrk.

Targets on PostgreSQL (issue "One request path"): point read ≥ 0.5×, list page ≥ 0.5×, GraphQL `node`
≥ 0.25×, PATCH ≥ 0.3×. SQLite is printed too, against the same bare app on aiosqlite. Then a PATCH right
after a sync of 5,000 people against the same PATCH in an organization of 10."""

from __future__ import annotations

import json
import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import jwt

from bench.harness import BIN, alternate, bench_database, ensure_wrk, server, throughput_script
from tests.api.test_sync import payload

TARGETS = {"point read": 0.5, "list page of 50": 0.5, "GraphQL node": 0.25, "PATCH over 200 people": 0.3}
NODE = "query($id: ID!) { node(id: $id) { ... on Person { id givenName familyName email title } } }"
UNITS = "{ units(first: 50) { edges { node { id name members { id email } } } } }"


def bearer(secret: str, org: str | None, scope: str) -> dict[str, str]:
    now = int(time.time())
    claims: dict[str, Any] = {"iss": "liaison", "aud": "liaison", "sub": "bench", "iat": now, "exp": now + 7200}
    claims["scope"] = scope
    if org:
        claims["org"] = org
    return {"Authorization": "Bearer " + jwt.encode(claims, secret, algorithm="HS256")}


def seed(base: str, secret: str, people: int, units: int = 60) -> tuple[str, dict[str, str]]:
    """An organization made through the API, and a token for it as an integration gets one: an API client's,
    from /v1/oauth/token (so every measured request also checks that its client still stands)."""
    with httpx.Client(base_url=base, timeout=600) as c:
        slug = f"bench-{secrets.token_hex(4)}"
        r = c.post(
            "/v1/organizations", json={"name": slug, "slug": slug}, headers=bearer(secret, None, "platform:admin")
        )
        r.raise_for_status()
        org = r.json()["id"]
        h = bearer(secret, org, "admin")
        c.post(
            "/v1/sync/org-chart", json={"system": "hr", **payload(people, units=units, seed=5)}, headers=h
        ).raise_for_status()
        client = c.post("/v1/api-clients", json={"name": "bench", "scopes": ["admin"]}, headers=h)
        client.raise_for_status()
        form = {"grant_type": "client_credentials", "client_id": client.json()["id"]}
        token = c.post("/v1/oauth/token", data={**form, "client_secret": client.json()["client_secret"]})
        token.raise_for_status()
    return org, {"Authorization": "Bearer " + token.json()["access_token"]}


def lua(requests: list[tuple[str, str, dict[str, str], str | None]]) -> str:
    """A wrk script that cycles through the given requests (method, path, headers, body)."""
    entries = []
    for method, path, headers, body in requests:
        h = ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items())
        b = "nil" if body is None else json.dumps(body)
        entries.append(f"{{{json.dumps(method)}, {json.dumps(path)}, {{{h}}}, {b}}}")
    return (
        "local reqs = {" + ",\n".join(entries) + "}\n"
        "math.randomseed(os.time())\n"
        "local run = tostring(os.time()) .. '-' .. tostring(math.random(1, 1000000000))\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        "  local r = reqs[(n % #reqs) + 1]\n"
        "  local body = r[4]\n"
        "  if body ~= nil then body = string.gsub(body, '@N@', tostring(n)) end\n"
        "  local headers = {}\n"
        "  for k, v in pairs(r[3]) do headers[k] = string.gsub(string.gsub(v, '@N@', tostring(n)), '@R@', run) end\n"
        "  return wrk.format(r[1], r[2], headers, body)\n"
        "end\n"
    )


def paths(ours: str, h: dict[str, str]) -> dict[str, list[tuple[str, str, dict[str, str], str | None]]]:
    """The requests of each path, found in the seeded organization."""
    with httpx.Client(base_url=ours, timeout=120, headers=h) as c:
        people = c.get("/v1/people", params={"limit": 200}).json()["data"]
        page = c.get("/v1/people", params={"limit": 50}).json()
        cursor = page["next_cursor"]
        managers = [p["manager_id"] for p in people if p["manager_id"]]
        manager = max(set(managers), key=managers.count)
    one = people[len(people) // 2]["id"]
    nonce = secrets.token_hex(4)
    auth = dict(h)
    js = {**auth, "Content-Type": "application/json"}
    return {
        "point read": [("GET", f"/v1/people/{one}", auth, None)],
        "list page of 50": [("GET", f"/v1/people?limit=50&cursor={cursor}", auth, None)],
        "reports": [("GET", f"/v1/people/{manager}/reports", auth, None)],
        "GraphQL node": [("POST", "/graphql", js, json.dumps({"query": NODE, "variables": {"id": one}}))],
        "GraphQL units → members (50)": [("POST", "/graphql", js, json.dumps({"query": UNITS}))],
        "PATCH over 200 people": [
            (
                "PATCH",
                f"/v1/people/{p['id']}",
                {**auth, "Content-Type": "application/merge-patch+json"},
                '{"title":"T@N@"}',
            )
            for p in people
        ],
        "POST with Idempotency-Key": [
            (
                "POST",
                "/v1/units",
                {**js, "Idempotency-Key": f"{nonce}-@R@-@N@"},
                json.dumps({"name": "Unit @N@", "kind": "team"}),
            )
        ],
    }


def same_answers(ours: str, bare: str, requests: dict[str, list[Any]]) -> None:
    """The baseline must answer what Liaison answers (reads compared in full; GraphQL's `data`)."""
    with httpx.Client(timeout=60) as c:
        for name in ("point read", "list page of 50", "reports", "GraphQL node", "GraphQL units → members (50)"):
            method, path, headers, body = requests[name][0]
            a = c.request(method, ours + path, headers=headers, content=body)
            b = c.request(method, bare + path, headers=headers, content=body)
            assert a.status_code == b.status_code == 200, (name, a.text[:300], b.text[:300])
            left, right = a.json(), b.json()
            if name.startswith("GraphQL"):
                left, right = left["data"], right["data"]
            assert left == right, f"{name}: the baseline answers differently: {left} vs {right}"[:3000]


def compare(engine: str, our_url: str, bare_dsn: str, secret: str, scripts: Path) -> None:
    env = {
        "LIAISON_DATABASE_URL": our_url,
        "LIAISON_JWT_SECRET": secret,
        "LIAISON_AUTO_MIGRATE": "false",
        "LIAISON_RATE_LIMIT": "1000000000/minute",
        "LIAISON_DB_POOL_SIZE": "16",
        "LIAISON_LOG_LEVEL": "WARNING",
    }
    with server([str(BIN / "liaison"), "serve", "--no-worker", "--port", "{port}"], env, "/healthz") as ours:
        org, h = seed(ours, secret, 2000)
        requests = paths(ours, h)
        with server(
            [
                str(BIN / "uvicorn"),
                "bench.bare_paths_app:app",
                "--port",
                "{port}",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            {"BENCH_DSN": bare_dsn, "BENCH_ORG": org},
            "/healthz",
        ) as bare:
            same_answers(ours, bare, requests)
            print(f"  {engine}: 2,000 people in 60 units; A = Liaison, B = bare Starlette on the driver, same SQL")
            for name, reqs in requests.items():
                script = scripts / f"{engine}-{abs(hash(name))}.lua"
                script.write_text(lua(reqs))
                rps = alternate(
                    {
                        "liaison": lambda u=ours, s=script: throughput_script(u, s, seconds=3),
                        "bare": lambda u=bare, s=script: throughput_script(u, s, seconds=3),
                    },
                    rounds=3,
                )
                ratio = rps["liaison"] / rps["bare"]
                target = TARGETS.get(name) if engine == "postgresql" else None
                verdict = "" if target is None else f" (target ≥ {target:.2f}×) {'PASS' if ratio >= target else 'MISS'}"
                print(f"  {name:32s} {rps['liaison']:7.0f} req/s vs {rps['bare']:7.0f} req/s → {ratio:.2f}×{verdict}")


def patch_after_sync(engine: str, our_url: str, secret: str) -> None:
    """The first PATCHes right after a sync of 5,000 people, against the same in an organization of 10."""
    env = {
        "LIAISON_DATABASE_URL": our_url,
        "LIAISON_JWT_SECRET": secret,
        "LIAISON_AUTO_MIGRATE": "false",
        "LIAISON_RATE_LIMIT": "1000000000/minute",
        "LIAISON_LOG_LEVEL": "WARNING",
    }
    with server([str(BIN / "liaison"), "serve", "--no-worker", "--port", "{port}"], env, "/healthz") as ours:
        timings: dict[int, list[float]] = {10: [], 5000: []}
        for _ in range(2):
            for size in (10, 5000):
                _org, h = seed(ours, secret, size, units=min(60, size))
                with httpx.Client(base_url=ours, timeout=120, headers=h) as c:
                    ids = [p["id"] for p in c.get("/v1/people", params={"limit": 10}).json()["data"]]
                    for n, person_id in enumerate(ids):
                        t = time.perf_counter()
                        r = c.patch(
                            f"/v1/people/{person_id}",
                            content=json.dumps({"title": f"after sync {n}"}),
                            headers={"Content-Type": "application/merge-patch+json"},
                        )
                        timings[size].append(time.perf_counter() - t)
                        r.raise_for_status()
        big, small = statistics.median(timings[5000]), statistics.median(timings[10])
        worst = max(timings[5000])
        print(
            f"  {engine}: PATCH right after a sync of 5,000 people {big * 1000:.1f} ms (slowest {worst * 1000:.1f} ms) "
            f"vs in an organization of 10 {small * 1000:.1f} ms → {big / small:.2f}× (target ≤ 2×) "
            f"{'PASS' if big / small <= 2 else 'MISS'}"
        )


def main() -> None:
    ensure_wrk()
    secret = secrets.token_urlsafe(32)
    with tempfile.TemporaryDirectory() as tmp:
        scripts = Path(tmp)
        with bench_database() as (dsn, url):
            compare("postgresql", url, dsn, secret, scripts)
        with bench_database() as (_dsn, url):
            patch_after_sync("postgresql", url, secret)
        for label in ("paths", "patch"):
            db = Path(tmp) / f"{label}.db"
            url = f"sqlite+aiosqlite:///{db}"
            from app.repo.migrate import upgrade

            upgrade(url)
            if label == "paths":
                compare("sqlite", url, f"sqlite:///{db}", secret, scripts)
            else:
                patch_after_sync("sqlite", url, secret)
    os.environ.pop("BENCH_DSN", None)


if __name__ == "__main__":
    main()
