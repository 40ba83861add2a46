"""Org chart benchmarks, on PostgreSQL, each against a baseline run side by side:

(The point read and the other request paths are measured by bench_paths.py.)
2. GET /v1/org-chart of a 10,000-person organization against one hand-written SQL statement that builds
   the same JSON (nested in one pass). Target: ≤ 3× the baseline's time.
3. GET /v1/units/{id}/descendants of a 1,000-unit subtree in a 10,000-unit and in a 100,000-unit
   organization. Target: the larger within 1.5× of the smaller."""

from __future__ import annotations

import asyncio
import secrets
import time

import asyncpg
import httpx
import jwt

from bench.generate import create_org
from bench.harness import BIN, alternate, bench_database, ensure_wrk, server, timed


def token(secret: str, org: str) -> dict[str, str]:
    now = int(time.time())
    claims = {
        "iss": "liaison",
        "aud": "liaison",
        "sub": "bench",
        "org": org,
        "scope": "org:read",
        "iat": now,
        "exp": now + 3600,
    }
    return {"Authorization": "Bearer " + jwt.encode(claims, secret, algorithm="HS256")}


def main() -> None:
    ensure_wrk()
    secret = secrets.token_urlsafe(32)
    with bench_database() as (dsn, url):

        async def generate():  # type: ignore[no-untyped-def]
            conn = await asyncpg.connect(dsn)
            try:
                people = await create_org(conn, "10k people", n_units=1_500, n_people=10_000, seed=1)
                small = await create_org(conn, "10k units", n_units=10_000, n_people=100, seed=2, subtree=1_000)
                large = await create_org(conn, "100k units", n_units=100_000, n_people=100, seed=3, subtree=1_000)
                return people, small, large
            finally:
                await conn.close()

        t0 = time.perf_counter()
        people, small, large = asyncio.run(generate())
        print(
            f"  generated 3 organizations (10k people / 1.5k units; 10k units; 100k units) "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        ours_env = {
            "LIAISON_DATABASE_URL": url,
            "LIAISON_JWT_SECRET": secret,
            "LIAISON_AUTO_MIGRATE": "false",
            "LIAISON_RATE_LIMIT": "1000000000/minute",
            "LIAISON_DB_POOL_SIZE": "16",
        }
        base_env = {"BENCH_DSN": dsn, "BENCH_ORG": people.id}
        with (
            server([str(BIN / "liaison"), "serve", "--no-worker", "--port", "{port}"], ours_env, "/healthz") as ours,
            server(
                [str(BIN / "uvicorn"), "bench.baseline_app:app", "--port", "{port}", "--no-access-log"],
                base_env,
                "/people/none",
            ) as base,
        ):
            auth = token(secret, people.id)
            with httpx.Client(timeout=300) as c:
                mine = c.get(f"{ours}/v1/org-chart", headers=auth).json()["data"]
                theirs = c.get(f"{base}/org-chart").json()["data"]
                assert mine == theirs, "the baseline must build the same JSON"
                members = 0
                stack = list(mine)
                while stack:
                    node = stack.pop()
                    members += len(node["members"])
                    stack.extend(node["children"])
                assert members == 10_000, members
                secs = alternate(
                    {
                        "liaison": lambda: timed(
                            lambda: c.get(f"{ours}/v1/org-chart", headers=auth).raise_for_status(), 3
                        ),
                        "baseline": lambda: timed(lambda: c.get(f"{base}/org-chart").raise_for_status(), 3),
                    }
                )
            ratio = secs["liaison"] / secs["baseline"]
            print(
                f"2. org-chart export, 10,000 people: {secs['liaison'] * 1000:.0f} ms vs one hand-written SQL "
                f"statement {secs['baseline'] * 1000:.0f} ms → {ratio:.2f}× (target ≤ 3×) {'PASS' if ratio <= 3 else 'MISS'}"
            )

            small_auth, large_auth = token(secret, small.id), token(secret, large.id)
            with httpx.Client(timeout=300) as c:
                a = c.get(f"{ours}/v1/units/{small.subtree_root}/descendants", headers=small_auth).json()["data"]
                b = c.get(f"{ours}/v1/units/{large.subtree_root}/descendants", headers=large_auth).json()["data"]
                assert len(a) == len(b) == 999, (len(a), len(b))
                secs = alternate(
                    {
                        "10k": lambda: timed(
                            lambda: c.get(
                                f"{ours}/v1/units/{small.subtree_root}/descendants", headers=small_auth
                            ).raise_for_status(),
                            5,
                        ),
                        "100k": lambda: timed(
                            lambda: c.get(
                                f"{ours}/v1/units/{large.subtree_root}/descendants", headers=large_auth
                            ).raise_for_status(),
                            5,
                        ),
                    }
                )
            ratio = secs["100k"] / secs["10k"]
            print(
                f"3. 1,000-unit subtree: {secs['100k'] * 1000:.1f} ms in 100k units vs {secs['10k'] * 1000:.1f} ms "
                f"in 10k units → {ratio:.2f}× (target ≤ 1.5×) {'PASS' if ratio <= 1.5 else 'MISS'}"
            )


if __name__ == "__main__":
    main()
