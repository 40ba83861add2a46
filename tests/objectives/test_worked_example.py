"""A worked example of the roll-up, by hand: three levels, mixed rules and weights, a decreasing metric, a
value beyond its target (clamped). Every figure below is computed in the comments, not by our code."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import make_org
from tests.objectives.helpers import check_in, get, key_result, objective, unit


async def test_a_three_level_cascade_rolls_up_to_the_hand_computed_figures(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    company, sales, delivery = [await unit(client, h, n) for n in ("Company", "Sales", "Delivery")]
    c = await objective(client, h, company, title="Company grows", progress_rule="children")
    s = await objective(client, h, sales, title="Sales", parent_id=c["id"], alignment_weight=2, progress_rule="both")
    d = await objective(client, h, delivery, title="Delivery", parent_id=c["id"], progress_rule="key_results")
    s1 = await objective(client, h, sales, title="Churn", parent_id=s["id"], progress_rule="key_results")
    arr = await key_result(client, h, s["id"], 100_000, weight=3, unit="EUR")
    deals = await key_result(client, h, s["id"], 20_000)
    tickets = await key_result(client, h, s1["id"], 20, start_value=100)  # decreasing: 100 down to 20
    nps = await key_result(client, h, s1["id"], 10)
    on_time = await key_result(client, h, d["id"], 50)

    await check_in(client, h, arr["id"], 50_000, confidence=0.9)  # 50,000 / 100,000 = 0.5
    await check_in(client, h, deals["id"], 30_000)  # 30,000 / 20,000 = 1.5, clamped to 1.0
    await check_in(client, h, tickets["id"], 60)  # (60 − 100) / (20 − 100) = 0.5
    await check_in(client, h, nps["id"], 2.5)  # 2.5 / 10 = 0.25
    await check_in(client, h, on_time["id"], 10)  # 10 / 50 = 0.2

    assert (await get(client, h, f"/v1/key-results/{deals['id']}"))["progress"] == 1.0
    assert (await get(client, h, f"/v1/key-results/{deals['id']}"))["current_value"] == 30_000
    assert (await get(client, h, f"/v1/key-results/{tickets['id']}"))["progress"] == pytest.approx(0.5)
    # Churn, by its key results (1 and 1): (0.5 + 0.25) / 2 = 0.375
    assert (await get(client, h, f"/v1/objectives/{s1['id']}"))["progress"] == pytest.approx(0.375)
    # Sales, both: key results 3 × 0.5 and 1 × 1.0, child Churn 1 × 0.375 → 2.875 / 5 = 0.575
    assert (await get(client, h, f"/v1/objectives/{s['id']}"))["progress"] == pytest.approx(0.575)
    # Delivery: 0.2
    assert (await get(client, h, f"/v1/objectives/{d['id']}"))["progress"] == pytest.approx(0.2)
    # Company, by its children: Sales 2 × 0.575, Delivery 1 × 0.2 → 1.35 / 3 = 0.45
    top = await get(client, h, f"/v1/objectives/{c['id']}")
    assert top["progress"] == pytest.approx(0.45)

    explained = await get(client, h, f"/v1/objectives/{c['id']}/progress")
    assert explained["progress"] == pytest.approx(0.45)
    assert explained["total_weight"] == pytest.approx(3.0)
    shares = {i["id"]: i["share"] for i in explained["inputs"]}
    assert shares == {s["id"]: pytest.approx(2 * 0.575 / 3), d["id"]: pytest.approx(0.2 / 3)}
    assert [i["kind"] for i in explained["inputs"]] == ["objective", "objective"]

    sales_explained = await get(client, h, f"/v1/objectives/{s['id']}/progress")
    by_id = {i["id"]: (i["kind"], i["weight"], i["progress"], i["share"]) for i in sales_explained["inputs"]}
    assert by_id == {
        arr["id"]: ("key_result", 3.0, 0.5, pytest.approx(1.5 / 5)),
        deals["id"]: ("key_result", 1.0, 1.0, pytest.approx(1.0 / 5)),
        s1["id"]: ("objective", 1.0, pytest.approx(0.375), pytest.approx(0.375 / 5)),
    }


async def test_a_cancelled_child_leaves_its_parent_s_figure(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    company = await unit(client, h, "Company")
    parent = await objective(client, h, company, progress_rule="children")
    done = await objective(client, h, company, parent_id=parent["id"])
    idle = await objective(client, h, company, parent_id=parent["id"])
    kr = await key_result(client, h, done["id"], 4)
    await check_in(client, h, kr["id"], 4)  # 1.0
    assert (await get(client, h, f"/v1/objectives/{parent['id']}"))["progress"] == pytest.approx(0.5)  # (1 + 0) / 2
    r = await client.patch(f"/v1/objectives/{idle['id']}", json={"status": "cancelled"}, headers=h)
    assert r.status_code == 200, r.text
    assert (await get(client, h, f"/v1/objectives/{parent['id']}"))["progress"] == pytest.approx(1.0)


async def test_every_objective_of_a_generated_cascade_is_explained_by_its_shares(client: httpx.AsyncClient) -> None:
    """Through the API: the figure stored by the roll-ups equals the explained one, and the shares sum to
    it, for every objective of a cascade built at random (seeded)."""
    import random

    rng = random.Random(20261203)
    _org, h = await make_org(client)
    u = await unit(client, h, "Company")
    made: list[dict[str, object]] = []
    for _ in range(18):
        parent = rng.choice(made)["id"] if made and rng.random() < 0.85 else None
        rule = rng.choice(["key_results", "children", "both"])
        made.append(
            await objective(client, h, u, parent_id=parent, progress_rule=rule, alignment_weight=rng.choice([0, 1, 2]))
        )
    for _ in range(25):
        o = rng.choice(made)
        start, target = rng.choice([(0, 10), (100, 20), (5, 6)])
        kr = await key_result(client, h, str(o["id"]), target, start_value=start, weight=rng.choice([0, 1, 3]))
        await check_in(client, h, kr["id"], rng.uniform(-5, 120))
    for o in made:
        explained = await get(client, h, f"/v1/objectives/{o['id']}/progress")
        stored = await get(client, h, f"/v1/objectives/{o['id']}")
        assert sum(i["share"] for i in explained["inputs"]) == pytest.approx(explained["progress"], abs=1e-9)
        assert stored["progress"] == pytest.approx(explained["progress"], abs=1e-9)
