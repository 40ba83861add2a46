"""Handoff analytics over a seeded month, against a hand computation written here. The actions are stamped
at instants of November 2026 by moving the domain's clock (LIAISON_CLOCK_OFFSET_SECONDS, which this process
read at start and which the test sets for each action)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx
import pytest

from app.domain.clock import SystemClock, set_clock_offset
from tests.factories import make_org
from tests.handoffs.helpers import act, handoff, unit


@contextmanager
def clock_at(instant: str) -> Iterator[None]:
    set_clock_offset((datetime.fromisoformat(instant).replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds())
    try:
        yield
    finally:
        set_clock_offset(0)


@pytest.fixture(autouse=True)
def _real_clock_after() -> Iterator[None]:
    yield
    set_clock_offset(0)
    assert SystemClock.offset.total_seconds() == 0


async def test_a_seeded_month_against_a_hand_computation(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    s, d, e, legal = [await unit(client, h, n) for n in ("Sales", "Delivery", "EMEA", "Legal")]

    async def run(to: str, steps: list[tuple[str, str, dict[str, str]]]) -> None:
        ho = await handoff(client, h, s, to)
        for instant, action, body in steps:
            with clock_at(instant):
                await act(client, h, ho["id"], action, **body)

    await run(d, [("2026-11-02T09:00", "send", {}), ("2026-11-02T10:00", "accept", {})])  # 3,600 s
    await run(d, [("2026-11-03T09:00", "send", {}), ("2026-11-03T09:30", "accept", {})])  # 1,800 s
    await run(d, [("2026-11-04T09:00", "send", {}), ("2026-11-04T13:00", "accept", {})])  # 14,400 s
    await run(d, [("2026-11-05T09:00", "send", {}), ("2026-11-05T10:00", "decline", {"reason_code": "not_ours"})])
    await run(d, [("2026-11-06T09:00", "send", {}), ("2026-11-06T11:00", "forward", {"to_unit_id": e}),
                  ("2026-11-06T12:00", "accept", {})])  # fmt: skip
    await run(
        legal, [("2026-11-07T09:00", "send", {}), ("2026-11-07T09:05", "decline", {"reason_code": "no_capacity"})]
    )
    await run(d, [("2026-10-30T09:00", "send", {}), ("2026-10-30T09:10", "accept", {})])  # October: left out
    await run(d, [("2026-11-08T09:00", "send", {})])  # pending
    await run(d, [("2026-11-09T09:00", "send", {}), ("2026-11-09T09:01", "cancel", {})])  # cancelled

    r = await client.get("/v1/analytics/handoffs?period_start=2026-11-01&period_end=2026-11-30", headers=h)
    assert r.status_code == 200, r.text
    pairs = {(p["from_unit_id"], p["to_unit_id"]): p for p in r.json()["data"]}
    assert set(pairs) == {(s, d), (d, e), (s, legal)}
    sd = pairs[(s, d)]
    # S → D: 7 offers in November; accepted 3, declined 1, forwarded 1, pending 1, cancelled 1
    assert sd["offered"] == 7
    assert sd["outcomes"] == {"accepted": 3, "declined": 1, "forwarded": 1, "cancelled": 1, "pending": 1}
    assert sd["acceptance_rate"] == pytest.approx(3 / 5)  # accepted among accepted, declined, forwarded
    # times to accept, sorted: 1,800, 3,600, 14,400; nearest rank: median rank ⌈1.5⌉ = 2, p90 rank ⌈2.7⌉ = 3
    # (to the second: each action runs a few milliseconds after the clock is set)
    assert sd["median_seconds_to_accept"] == pytest.approx(3600, abs=1)
    assert sd["p90_seconds_to_accept"] == pytest.approx(14400, abs=1)
    assert sd["decline_reasons"] == {"not_ours": 1} and sd["overdue_rate"] == 0
    de = pairs[(d, e)]  # the forward counts for the forwarding unit and its new addressee
    assert (
        de["offered"] == 1
        and de["outcomes"]["accepted"] == 1
        and de["median_seconds_to_accept"] == pytest.approx(3600, abs=1)
    )
    sl = pairs[(s, legal)]
    assert sl["acceptance_rate"] == 0 and sl["decline_reasons"] == {"no_capacity": 1}
    assert sl["median_seconds_to_accept"] is None

    october = await client.get("/v1/analytics/handoffs?period_start=2026-10-01&period_end=2026-10-31", headers=h)
    (only,) = october.json()["data"]
    assert only["offered"] == 1 and only["median_seconds_to_accept"] == pytest.approx(600, abs=1)
    bad = await client.get("/v1/analytics/handoffs?period_start=2026-11-30&period_end=2026-11-01", headers=h)
    assert bad.status_code == 422
