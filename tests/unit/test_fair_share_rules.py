"""The fair share of a worker's slots (app/domain/webhooks/fairness.py), as a rule on plain data."""

from __future__ import annotations

from app.domain.webhooks.fairness import Due, InFlight, fair_pick


def due(org: str, endpoint: str, n: int) -> list[Due]:
    return [Due(f"{org}-{endpoint}-{i}", org, endpoint) for i in range(n)]


def test_organizations_take_turns() -> None:
    backlog = due("a", "e1", 50) + due("b", "e2", 1) + due("c", "e3", 1)
    picked = fair_pick(backlog, 6, InFlight.empty(), per_endpoint=4, per_organization=16)
    assert [d.organization_id for d in picked[:3]] == ["a", "b", "c"]
    assert sum(d.organization_id == "a" for d in picked) == 4  # its one endpoint's share


def test_an_endpoint_or_organization_at_its_share_gets_nothing_more() -> None:
    busy = InFlight.empty()
    for d in due("a", "e1", 4) + due("a", "e2", 4):
        busy.start(d)
    backlog = due("a", "e1", 10) + due("a", "e2", 10) + due("a", "e3", 10) + due("b", "e4", 2)
    picked = fair_pick(backlog, 32, busy, per_endpoint=4, per_organization=10)
    by_endpoint = {e: sum(d.endpoint_id == e for d in picked) for e in ("e1", "e2", "e3", "e4")}
    assert by_endpoint == {"e1": 0, "e2": 0, "e3": 2, "e4": 2}  # a's share is 10: 8 in flight, 2 more
    assert busy.full_endpoints(4) == ["e1", "e2"] and busy.full_organizations(8) == ["a"]


def test_in_flight_counts_go_back_to_nothing() -> None:
    busy = InFlight.empty()
    items = due("a", "e1", 3)
    for d in items:
        busy.start(d)
    for d in items:
        busy.end(d)
    assert not busy.endpoints and not busy.organizations
    assert fair_pick([], 5, busy, 4, 16) == []
    assert fair_pick(items, 0, busy, 4, 16) == []
