"""Collaboration analytics over a seeded quarter, against a hand computation: handoffs each way between
two units, the objectives one owns and the other contributes to, survey scores (a group under the survey's
threshold, and the next-smallest beside it, shows none), people in both units; the same as CSV; the
sections a token may not read are null."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.factories import bearer, make_org
from tests.feedback.test_anonymity import survey_body
from tests.handoffs.helpers import act, handoff, member, person
from tests.objectives.helpers import check_in, key_result, objective, unit


async def test_collaboration_over_a_quarter_equals_a_hand_computation(client: httpx.AsyncClient) -> None:
    org, h = await make_org(client)
    today = datetime.now(UTC).date()
    start, end = today - timedelta(days=45), today + timedelta(days=45)
    sales, delivery, finance, legal = [await unit(client, h, n) for n in ("Sales", "Delivery", "Finance", "Legal")]

    # Handoffs: Sales → Delivery three (two accepted, one declined); Delivery → Sales one, pending.
    for outcome in ("accept", "accept", "decline"):
        found = await handoff(client, h, sales, delivery)
        await act(client, h, found["id"], "send")
        await act(client, h, found["id"], outcome, **({"reason_code": "other"} if outcome == "decline" else {}))
    back = await handoff(client, h, delivery, sales)
    await act(client, h, back["id"], "send")

    # Objectives: Sales owns one that Delivery and Finance contribute to (at 50 %); one outside the quarter.
    period = {"period_start": start.isoformat(), "period_end": end.isoformat()}
    shared = await objective(client, h, sales, title="Renewals", contributor_unit_ids=[delivery, finance], **period)
    kr = await key_result(client, h, shared["id"], 10)
    await check_in(client, h, kr["id"], 5)
    await objective(client, h, finance, title="Last year", contributor_unit_ids=[sales],
                    period_start=(start - timedelta(days=400)).isoformat(),
                    period_end=(start - timedelta(days=300)).isoformat())  # fmt: skip

    # People: Ada in Sales and Delivery (a rotation), Bo in Sales and Delivery, Cy in Sales and Finance
    # (training); Di's Delivery membership ended before the quarter.
    ada, bo, cy, di = [await person(client, h, n) for n in ("Ada", "Bo", "Cy", "Di")]
    await member(client, h, ada, sales)
    await member(client, h, ada, delivery, kind="rotation")
    await member(client, h, bo, sales)
    await member(client, h, bo, delivery)
    await member(client, h, cy, sales)
    await member(client, h, cy, finance, kind="training")
    await member(client, h, di, sales)
    await member(client, h, di, delivery, starts_on=(start - timedelta(days=90)).isoformat(),
                 ends_on=(start - timedelta(days=1)).isoformat())  # fmt: skip

    # A named survey about Delivery, answered by three of Sales (4, 5, 3), one of Finance, two of Legal:
    # Finance's group is under the threshold (3), and Legal's, the next smallest, is hidden beside it.
    answerers = {sales: [await person(client, h, f"S{i}") for i in range(3)],
                 finance: [await person(client, h, "F0")], legal: [await person(client, h, f"L{i}") for i in range(2)]}  # fmt: skip
    for unit_id, people in answerers.items():
        for p in people:
            await member(client, h, p, unit_id, primary=True)
    r = await client.post("/v1/surveys", headers=h, json=survey_body(
        [sales, finance, legal], anonymous=False, about_unit_id=delivery, min_group_size=3,
        closes_at=(datetime.now(UTC) + timedelta(days=10)).isoformat()))  # fmt: skip
    assert r.status_code == 201, r.text
    survey = r.json()["id"]
    for unit_id, people in answerers.items():
        for i, p in enumerate(people):
            answer = {sales: [4, 5, 3], finance: [1], legal: [2, 2]}[unit_id][i]
            r = await client.post(f"/v1/surveys/{survey}/responses", json={"answers": {"q1": answer}},
                                  headers=bearer(org, "feedback:read feedback:write", person=p))  # fmt: skip
            assert r.status_code == 201, r.text

    r = await client.get("/v1/analytics/collaboration", headers=h,
                         params={"period_start": start.isoformat(), "period_end": end.isoformat()})  # fmt: skip
    assert r.status_code == 200, r.text
    pairs = {tuple(p["unit_ids"]): p for p in r.json()["data"]}

    def of(a: str, b: str) -> dict[str, Any]:
        return pairs[(a, b) if a < b else (b, a)]

    sd = of(sales, delivery)
    forward, backward = ("a_to_b", "b_to_a") if sales < delivery else ("b_to_a", "a_to_b")
    assert sd["handoffs"][forward]["offered"] == 3
    assert sd["handoffs"][forward]["outcomes"] == {"accepted": 2, "declined": 1, "forwarded": 0, "cancelled": 0,
                                                   "pending": 0}  # fmt: skip
    assert sd["handoffs"][forward]["acceptance_rate"] == 2 / 3 and sd["handoffs"][forward]["overdue_rate"] == 0
    assert sd["handoffs"][forward]["median_seconds_to_accept"] is not None
    assert sd["handoffs"][backward]["offered"] == 1 and sd["handoffs"][backward]["outcomes"]["pending"] == 1
    assert [(o["title"], o["owner_unit_id"], o["progress"]) for o in sd["shared_objectives"]] == [
        ("Renewals", sales, 0.5)]  # fmt: skip
    assert sd["people_in_both"] == {"people": 2, "member": 2, "rotation": 1, "training": 0}
    assert sd["survey_scores"] == [{"survey_id": survey, "title": "How we work together", "about_unit_id": delivery,
                                    "from_unit_id": sales, "responses": 3, "score": 4.0, "suppressed": False}]  # fmt: skip
    sf = of(sales, finance)
    assert [o["contributor_unit_id"] for o in sf["shared_objectives"]] == [finance]  # last year's is outside
    assert sf["people_in_both"] == {"people": 1, "member": 1, "rotation": 0, "training": 1}
    assert sf["handoffs"] == {"a_to_b": None, "b_to_a": None}
    df = of(delivery, finance)
    assert [o["title"] for o in df["shared_objectives"]] == [] and df["people_in_both"]["people"] == 0
    for small in (finance, legal):  # under the threshold, or the next smallest beside it: no score
        (score,) = of(small, delivery)["survey_scores"]
        assert score["suppressed"] and score["score"] is None and score["responses"] is None
    assert set(pairs) == {tuple(sorted(p)) for p in [(sales, delivery), (sales, finance), (finance, delivery),
                                                     (legal, delivery)]}  # fmt: skip

    table = list(csv.DictReader(io.StringIO((await client.get("/v1/analytics/collaboration", headers={
        **h, "Accept": "text/csv"}, params={"period_start": start.isoformat(), "period_end": end.isoformat()})).text)))  # fmt: skip
    row = next(x for x in table if {x["unit_a_id"], x["unit_b_id"]} == {sales, delivery})
    assert row["people_in_both"] == "2" and row["rotations"] == "1" and row["shared_objectives"] == "1"
    assert row["survey_scores"] == f"{sales}→{delivery}:4.0"

    narrow = await client.get("/v1/analytics/collaboration", headers=bearer(org, "org:read"),
                              params={"period_start": start.isoformat(), "period_end": end.isoformat()})  # fmt: skip
    assert narrow.status_code == 200
    only = {tuple(p["unit_ids"]): p for p in narrow.json()["data"]}
    assert all(p["handoffs"] is None and p["shared_objectives"] is None and p["survey_scores"] is None
               for p in only.values())  # fmt: skip
    assert set(only) == {tuple(sorted((sales, delivery))), tuple(sorted((sales, finance)))}  # people only
    bad = await client.get("/v1/analytics/collaboration", headers=h,
                           params={"period_start": end.isoformat(), "period_end": start.isoformat()})  # fmt: skip
    assert bad.status_code == 422


async def test_graphql_collaboration_is_the_same_read(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    sales, delivery = await unit(client, h, "Sales"), await unit(client, h, "Delivery")
    ada = await person(client, h, "Ada")
    await member(client, h, ada, sales)
    await member(client, h, ada, delivery, kind="training")
    found = await handoff(client, h, sales, delivery)
    await act(client, h, found["id"], "send")
    today = datetime.now(UTC).date()
    params = {"period_start": (today - timedelta(days=30)).isoformat(), "period_end": today.isoformat()}
    rest = (await client.get("/v1/analytics/collaboration", params=params, headers=h)).json()["data"]
    query = """query($s: Date!, $e: Date!) { collaboration(periodStart: $s, periodEnd: $e) {
        unitIds handoffs { aToB { offered } bToA { offered } } sharedObjectives { title }
        surveyScores { score } peopleInBoth { people training } } }"""
    r = await client.post("/graphql", headers=h, json={"query": query, "variables": {
        "s": params["period_start"], "e": params["period_end"]}})  # fmt: skip
    assert "errors" not in r.json(), r.text
    (pair,) = r.json()["data"]["collaboration"]
    assert pair["unitIds"] == rest[0]["unit_ids"] and pair["peopleInBoth"] == {"people": 1, "training": 1}
    offered = [(w or {}).get("offered") for w in (pair["handoffs"]["aToB"], pair["handoffs"]["bToA"])]
    assert sorted(offered, key=str) == sorted([(rest[0]["handoffs"][w] or {}).get("offered")
                                               for w in ("a_to_b", "b_to_a")], key=str) and 1 in offered  # fmt: skip
