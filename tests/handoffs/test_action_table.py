"""Every action from every state: the moves the contract allows succeed and record their event; every other
answers 409 from the one table of rules, and changes nothing. The pairs are generated from the states and
actions, the legal ones written from the contract (not read from our table)."""

from __future__ import annotations

import itertools

import httpx
import pytest

from app.domain.handoffs.model import ACTIONS, STATUSES
from tests.factories import make_org
from tests.handoffs.helpers import act, handoff, unit

LEGAL = {
    ("draft", "send"): "sent", ("sent", "accept"): "accepted", ("sent", "decline"): "declined",
    ("accepted", "wait"): "waiting", ("waiting", "resume"): "accepted", ("sent", "forward"): "sent",
    ("accepted", "forward"): "sent", ("accepted", "complete"): "completed", ("draft", "cancel"): "cancelled",
    ("sent", "cancel"): "cancelled", ("accepted", "cancel"): "cancelled", ("waiting", "cancel"): "cancelled",
}  # fmt: skip
PATHS = {
    "draft": [], "sent": ["send"], "accepted": ["send", "accept"], "waiting": ["send", "accept", "wait"],
    "completed": ["send", "accept", "complete"], "declined": ["send", "decline"], "cancelled": ["cancel"],
}  # fmt: skip
EVENTS = {"send": "sent", "accept": "accepted", "decline": "declined", "wait": "waiting", "resume": "resumed",
          "forward": "forwarded", "complete": "completed", "cancel": "cancelled"}  # fmt: skip
CASES = list(itertools.product(STATUSES, ACTIONS))


def _body(action: str, other_unit: str) -> dict[str, str]:
    return {
        "decline": {"reason_code": "not_ours", "reason": "Support's"},
        "wait": {"reason": "the order form"},
        "forward": {"to_unit_id": other_unit, "note": "EMEA's"},
    }.get(action, {})


def test_the_table_covers_every_state_and_action() -> None:
    assert set(PATHS) == set(STATUSES)
    assert {a for _, a in LEGAL} == set(ACTIONS)


@pytest.mark.parametrize(("state", "action"), CASES, ids=[f"{s}-{a}" for s, a in CASES])
async def test_every_action_from_every_state(client: httpx.AsyncClient, state: str, action: str) -> None:
    _org, h = await make_org(client)
    sales, delivery, emea = [await unit(client, h, n) for n in ("Sales", "Delivery", "EMEA")]
    ho = await handoff(client, h, sales, delivery)
    for step in PATHS[state]:
        await act(client, h, ho["id"], step, **_body(step, emea))
    before = (await client.get(f"/v1/handoffs/{ho['id']}", headers=h)).json()
    assert before["status"] == state
    r = await client.post(f"/v1/handoffs/{ho['id']}/{action}", json=_body(action, emea) or None, headers=h)
    if (state, action) in LEGAL:
        assert r.status_code == 200, r.text
        after = r.json()
        assert after["status"] == LEGAL[(state, action)]
        assert after["history"][-1]["action"] == action and after["history"][-1]["from"] == state
        events = (await client.get("/v1/events", params={"type": "handoff.*"}, headers=h)).json()["data"]
        assert events[-1]["type"] == f"handoff.{EVENTS[action]}"
        if LEGAL[(state, action)] != state:
            assert events[-1]["data"]["previous_attributes"]["status"] == state
    else:
        assert r.status_code == 409, r.text
        assert state in r.json()["detail"] and action in r.json()["detail"]
        again = (await client.get(f"/v1/handoffs/{ho['id']}", headers=h)).json()
        assert again == before


async def test_complete_needs_every_required_item_done(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    sales, delivery = await unit(client, h, "Sales"), await unit(client, h, "Delivery")
    checklist = [{"item": "Contract signed", "required": True}, {"item": "Kick-off booked"}]
    ho = await handoff(client, h, sales, delivery, checklist=checklist)
    await act(client, h, ho["id"], "send")
    await act(client, h, ho["id"], "accept")
    refused = await act(client, h, ho["id"], "complete", expect=409)
    assert "Contract signed" in refused["detail"]
    ticked = [{"item": "Contract signed", "required": True, "done": True}, {"item": "Kick-off booked"}]
    r = await client.patch(f"/v1/handoffs/{ho['id']}", json={"checklist": ticked}, headers=h)
    assert r.status_code == 200, r.text
    r = await client.patch(f"/v1/handoffs/{ho['id']}", json={"title": "Other"}, headers=h)
    assert r.status_code == 409  # sent: its content is what was sent
    assert (await act(client, h, ho["id"], "complete"))["status"] == "completed"


async def test_bad_action_bodies_are_422(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    sales, delivery = await unit(client, h, "Sales"), await unit(client, h, "Delivery")
    ho = await handoff(client, h, sales, delivery)
    await act(client, h, ho["id"], "send")
    for action, body in (
        ("decline", {}),
        ("decline", {"reason_code": "bored"}),
        ("wait", {"reason": ""}),
        ("forward", {"to_unit_id": delivery}),
        ("forward", {"to_unit_id": "unit_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"}),
        ("accept", {"surprise": 1}),
    ):
        r = await client.post(f"/v1/handoffs/{ho['id']}/{action}", json=body, headers=h)
        assert r.status_code == 422, (action, body, r.text)
    assert (await client.get(f"/v1/handoffs/{ho['id']}", headers=h)).json()["status"] == "sent"
