"""Shared objectives, on PostgreSQL: a check-in on a leaf of a six-level cascade of 2,000 objectives
(the key result, then every objective up to the root recomputed under its row lock, with their history
and events), against a bare Starlette + asyncpg app that writes the same rows by hand in one transaction
(bench/baseline_check_in.py). Both are HTTP servers in their own processes, measured side by side:

1. one client, one check-in after another (latency);
2. 8 clients at once on different leaves (they share the ancestors near the root, so they queue there).
"""

from __future__ import annotations

import asyncio
import random
import secrets
import statistics
import time
from datetime import UTC, date, datetime

import httpx
import jwt

from app.domain.ids import new_id
from app.domain.objectives.model import KeyResult, Objective
from app.repo.engine import make_engine
from app.repo.uow import Database
from bench.harness import BIN, alternate, bench_database, server

LEVELS = (1, 3, 12, 60, 324, 1600)  # 2,000 objectives in six levels


async def _cascade(url: str) -> tuple[str, list[str]]:
    """An organization, a unit, the cascade and one key result on each leaf, through the repositories."""
    db = Database(make_engine(url))
    now = datetime.now(UTC)
    org = new_id("org")
    unit = new_id("unit")
    from sqlalchemy import insert

    from app.repo.repositories import table
    from app.repo.tables import OrganizationRow, UnitRow

    async with db.system_unit_of_work(write=True) as uow:
        await uow.sql.run(
            insert(table(OrganizationRow)).values(
                id=org, name="Bench", slug=f"bench-{org[-8:].lower()}", time_zone="UTC", created_at=now,
                updated_at=now, version=1,
            )
        )  # fmt: skip
        await uow.sql.run(
            insert(table(UnitRow)).values(
                id=unit, organization_id=org, name="Company", kind="company", external_refs={}, links=[],
                created_at=now, updated_at=now, version=1,
            )
        )  # fmt: skip
        await uow.commit()
    levels: list[list[Objective]] = []
    for depth, count in enumerate(LEVELS):
        above = levels[-1] if levels else []
        levels.append(
            [
                Objective(
                    id=new_id("obj"), organization_id=org, created_at=now, updated_at=now, title=f"O{depth}.{i}",
                    period_start=date(2026, 1, 1), period_end=date(2026, 12, 31), owner_unit_id=unit,
                    parent_id=above[i % len(above)].id if above else None, status="active",
                    alignment_weight=float(1 + i % 3),
                    progress_rule="key_results" if depth == len(LEVELS) - 1 else "both",
                )
                for i in range(count)
            ]
        )  # fmt: skip
    leaves = levels[-1]
    krs = [
        KeyResult(
            id=new_id("kr"), organization_id=org, created_at=now, updated_at=now, objective_id=o.id, title="M",
            target_value=100.0,
        )
        for o in leaves
    ]  # fmt: skip
    async with db.unit_of_work(org, write=True) as uow:
        await uow.objectives.add_many([o for level in levels for o in level])
        await uow.key_results.add_many(krs)
        await uow.commit()
    await db.dispose()
    return org, [k.id for k in krs]


def _token(secret: str, org: str) -> dict[str, str]:
    now = int(time.time())
    claims = {"iss": "liaison", "aud": "liaison", "sub": "bench", "org": org, "scope": "objectives:write",
              "iat": now, "exp": now + 3600}  # fmt: skip
    return {"Authorization": "Bearer " + jwt.encode(claims, secret, algorithm="HS256")}


def _sequential(base: str, path: str, headers: dict[str, str], krs: list[str], n: int) -> float:
    """The median time of one check-in, one after another, on leaves taken at random."""
    rng = random.Random(1)
    samples = []
    with httpx.Client(headers=headers, timeout=60) as c:
        for _ in range(n):
            body = {"key_result_id": rng.choice(krs), "value": rng.uniform(0, 100)}
            t = time.perf_counter()
            c.post(base + path, json=body).raise_for_status()
            samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def _concurrent(base: str, path: str, headers: dict[str, str], krs: list[str], seconds: float, clients: int) -> float:
    """Check-ins per second with `clients` at once, each on its own leaves."""

    async def run() -> float:
        done = 0
        deadline = time.perf_counter() + seconds
        async with httpx.AsyncClient(headers=headers, timeout=60) as c:

            async def loop(k: int) -> None:
                nonlocal done
                mine = krs[k::clients]
                rng = random.Random(k)
                while time.perf_counter() < deadline:
                    r = await c.post(base + path, json={"key_result_id": rng.choice(mine), "value": rng.random() * 99})
                    r.raise_for_status()
                    done += 1

            await asyncio.gather(*[loop(k) for k in range(clients)])
        return done / seconds

    return asyncio.run(run())


def main() -> None:
    secret = secrets.token_urlsafe(32)
    with bench_database() as (dsn, url):
        org, krs = asyncio.run(_cascade(url))
        print(f"  generated a cascade of {sum(LEVELS)} objectives in {len(LEVELS)} levels, {len(krs)} leaf key results")
        ours_env = {
            "LIAISON_DATABASE_URL": url,
            "LIAISON_JWT_SECRET": secret,
            "LIAISON_AUTO_MIGRATE": "false",
            "LIAISON_RATE_LIMIT": "1000000000/minute",
            "LIAISON_DB_POOL_SIZE": "16",
        }
        base_env = {"BENCH_DSN": dsn, "BENCH_ORG": org}
        auth = _token(secret, org)
        with (
            server([str(BIN / "liaison"), "serve", "--no-worker", "--port", "{port}"], ours_env, "/healthz") as ours,
            server(
                [str(BIN / "uvicorn"), "bench.baseline_check_in:app", "--port", "{port}", "--no-access-log"],
                base_env,
                "/check-ins",
            ) as base,
        ):
            _sequential(ours, "/v1/check-ins", auth, krs, 10)  # warm both up
            _sequential(base, "/check-ins", {}, krs, 10)
            secs = alternate(
                {
                    "liaison": lambda: _sequential(ours, "/v1/check-ins", auth, krs, 40),
                    "baseline": lambda: _sequential(base, "/check-ins", {}, krs, 40),
                }
            )
            ratio = secs["baseline"] / secs["liaison"]
            print(
                f"1. one check-in on a leaf, six levels rolled up: {secs['liaison'] * 1000:.1f} ms vs bare SQL "
                f"{secs['baseline'] * 1000:.1f} ms → {ratio:.2f}× the baseline's speed"
            )
            rates = alternate(
                {
                    "liaison": lambda: _concurrent(ours, "/v1/check-ins", auth, krs, 4, 8),
                    "baseline": lambda: _concurrent(base, "/check-ins", {}, krs, 4, 8),
                }
            )
            print(
                f"2. 8 clients at once: {rates['liaison']:.0f} check-ins/s vs bare SQL {rates['baseline']:.0f}/s"
                f" → {rates['liaison'] / rates['baseline']:.2f}×"
            )


if __name__ == "__main__":
    main()
