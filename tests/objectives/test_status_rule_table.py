"""Every status move: the legal ones succeed and record their event, every other answers 409 from the
rule table; the pairs are generated from the five statuses, not listed by hand."""

from __future__ import annotations

import itertools

import httpx
import pytest

from app.domain.objectives.model import OBJECTIVE_STATUSES
from tests.factories import make_org
from tests.objectives.helpers import objective, unit

MERGE = {"content-type": "application/merge-patch+json"}
# What the contract allows, written from the contract (not read from our table).
LEGAL = {("draft", "active"), ("draft", "cancelled"), ("active", "achieved"), ("active", "missed"),
         ("active", "cancelled")}  # fmt: skip
PATHS = {"draft": [], "active": ["active"], "cancelled": ["cancelled"], "achieved": ["active", "achieved"],
         "missed": ["active", "missed"]}  # fmt: skip
PAIRS = [(a, b) for a, b in itertools.product(OBJECTIVE_STATUSES, repeat=2) if a != b]


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
async def test_every_status_move(client: httpx.AsyncClient, source: str, target: str) -> None:
    _org, h = await make_org(client)
    o = await objective(client, h, await unit(client, h, "Sales"), status="draft")
    for step in PATHS[source]:
        r = await client.patch(f"/v1/objectives/{o['id']}", json={"status": step}, headers={**h, **MERGE})
        assert r.status_code == 200, r.text
    r = await client.patch(f"/v1/objectives/{o['id']}", json={"status": target}, headers={**h, **MERGE})
    if (source, target) in LEGAL:
        assert r.status_code == 200, r.text
        assert r.json()["status"] == target
        events = (await client.get("/v1/events", params={"type": "objective.*"}, headers=h)).json()["data"]
        word = {"active": "activated", "achieved": "achieved", "missed": "missed", "cancelled": "cancelled"}[target]
        assert events[-1]["type"] == f"objective.{word}" or any(e["type"] == f"objective.{word}" for e in events)
    else:
        assert r.status_code == 409, r.text
        problem = r.json()
        assert problem["type"].endswith("conflict")
        assert source in problem["detail"] and target in problem["detail"]
        again = await client.get(f"/v1/objectives/{o['id']}", headers=h)
        assert again.json()["status"] == source  # nothing changed
