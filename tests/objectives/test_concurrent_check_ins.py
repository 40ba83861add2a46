"""Concurrent check-ins on sibling key results lose no update: the roll-up locks each objective from the
leaf to the root and reads its inputs under the lock. 50 check-ins at once, on real connections (on
PostgreSQL they run at the same time; SQLite serializes writers)."""

from __future__ import annotations

import asyncio
import random

import httpx
import pytest

from tests.factories import make_org
from tests.objectives.helpers import get, key_result, objective, unit


def _mean(pairs: list[tuple[float, float]]) -> float:
    total = sum(w for w, _ in pairs)
    return sum(w * p for w, p in pairs) / total


async def test_fifty_concurrent_check_ins_on_siblings_roll_up_to_a_recomputation(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    u = await unit(client, h, "Sales")
    top = await objective(client, h, u, progress_rule="children")
    parents = [await objective(client, h, u, parent_id=top["id"], progress_rule="key_results") for _ in range(2)]
    rng = random.Random(7)
    krs = []
    for i in range(50):
        parent = parents[i % 2]
        target = rng.choice([10, 100, 1000])
        krs.append((await key_result(client, h, parent["id"], target, weight=rng.choice([1, 2, 3])), parent))
    values = {kr["id"]: rng.uniform(0, kr["target_value"] * 1.2) for kr, _ in krs}

    answers = await asyncio.gather(
        *[
            client.post("/v1/check-ins", json={"key_result_id": kr["id"], "value": values[kr["id"]]}, headers=h)
            for kr, _ in krs
        ]
    )
    assert all(r.status_code == 201 for r in answers), [r.text for r in answers if r.status_code != 201]

    # From scratch, in the test: each key result's progress, each parent's weighted mean, the top's mean.
    expected_parent = {}
    for parent in parents:
        pairs = [
            (kr["weight"], min(1.0, values[kr["id"]] / kr["target_value"])) for kr, p in krs if p["id"] == parent["id"]
        ]
        expected_parent[parent["id"]] = _mean(pairs)
        assert (await get(client, h, f"/v1/objectives/{parent['id']}"))["progress"] == pytest.approx(
            expected_parent[parent["id"]]
        )
    expected_top = _mean([(1.0, p) for p in expected_parent.values()])
    assert (await get(client, h, f"/v1/objectives/{top['id']}"))["progress"] == pytest.approx(expected_top)
    # every check-in moved its key result and was recorded once
    listed = await get(client, h, f"/v1/check-ins?objective_id={parents[0]['id']}&limit=200")
    assert len(listed["data"]) == 25
