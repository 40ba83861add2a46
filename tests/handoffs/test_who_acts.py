"""Who may act on a handoff: the receiving side (the addressed person, or a member of the addressed unit at
that moment, rotations included) accepts, declines, waits, forwards and completes; the sending side edits
the draft, sends, resumes and cancels; an integration token acts for either. Every transition records its
actor, and `sla` keeps each unit's time apart."""

from __future__ import annotations

import httpx

from tests.factories import bearer, make_org
from tests.handoffs.helpers import act, handoff, member, person, unit

SCOPES = "handoffs:read handoffs:write"


async def test_the_sides_of_a_handoff_and_a_forward(client: httpx.AsyncClient) -> None:
    org, h = await make_org(client)
    sales, delivery, emea = [await unit(client, h, n) for n in ("Sales", "Delivery", "EMEA")]
    seller, doer, rotating, outsider = [await person(client, h, n) for n in ("Seller", "Doer", "Rota", "Outsider")]
    await member(client, h, seller, sales)
    await member(client, h, doer, delivery)
    await member(client, h, rotating, emea, kind="rotation")
    as_ = {p: bearer(org, SCOPES, person=p) for p in (seller, doer, rotating, outsider)}

    # the sending side drafts and sends; others may not
    await act(client, h, (await handoff(client, h, sales, delivery))["id"], "send")  # an integration token
    r = await client.post(
        "/v1/handoffs", json={"title": "T", "from_unit_id": sales, "to_unit_id": delivery}, headers=as_[outsider]
    )
    assert r.status_code == 403, r.text
    ho = await handoff(client, as_[seller], sales, delivery)
    assert (await client.post(f"/v1/handoffs/{ho['id']}/send", headers=as_[doer])).status_code == 403
    await act(client, as_[seller], ho["id"], "send")

    # the receiving side accepts; an outsider and the sender may not
    for who in (outsider, seller, rotating):
        r = await client.post(f"/v1/handoffs/{ho['id']}/accept", headers=as_[who])
        assert r.status_code == 403, (who, r.text)
    await act(client, as_[doer], ho["id"], "accept")
    forwarded = await act(client, as_[doer], ho["id"], "forward", to_unit_id=emea, note="EMEA's account")
    assert forwarded["status"] == "sent" and forwarded["to_unit_id"] == emea

    # after the forward: the first unit's members no longer, the new unit's member (on rotation) yes
    assert (await client.post(f"/v1/handoffs/{ho['id']}/accept", headers=as_[doer])).status_code == 403
    accepted = await act(client, as_[rotating], ho["id"], "accept")
    actors = [(e["action"], e["actor"].get("person_id")) for e in accepted["history"]]
    assert actors == [("create", seller), ("send", seller), ("accept", doer), ("forward", doer), ("accept", rotating)]

    segments = accepted["sla"]["segments"]
    assert [s["unit_id"] for s in segments] == [delivery, emea]
    assert segments[0]["to"] is not None and segments[0]["seconds"] >= 0 and segments[1]["to"] is None
    timeline = (await client.get(f"/v1/handoffs/{ho['id']}/timeline", headers=h)).json()["data"]
    assert [t["action"] for t in timeline] == ["create", "send", "accept", "forward", "accept"]
    assert timeline[0]["clocks"] == {"accept": None, "complete": None}
    assert timeline[-1]["clocks"]["complete"] >= timeline[2]["clocks"]["complete"] >= 0

    # comments: either side, with its author; an outsider may not
    r = await client.post(f"/v1/handoffs/{ho['id']}/comments", json={"body": "On it."}, headers=as_[rotating])
    assert r.status_code == 201 and r.json()["author_person_id"] == rotating
    r = await client.post(f"/v1/handoffs/{ho['id']}/comments", json={"body": "Hi"}, headers=as_[outsider])
    assert r.status_code == 403
    listed = (await client.get(f"/v1/handoffs/{ho['id']}/comments", headers=h)).json()["data"]
    assert [c["body"] for c in listed] == ["On it."]


async def test_policies_set_the_deadlines_on_send_the_most_specific_wins(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    sales, delivery, legal = [await unit(client, h, n) for n in ("Sales", "Delivery", "Legal")]
    for body in (
        {"accept_within": "P1D", "complete_within": "P10D"},  # any to any
        {"from_unit_id": sales, "accept_within": "PT8H"},
        {"to_unit_id": delivery, "accept_within": "PT4H", "complete_within": "P5D"},
        {"from_unit_id": sales, "to_unit_id": delivery, "accept_within": "PT2H"},
    ):
        r = await client.post("/v1/handoff-policies", json=body, headers=h)
        assert r.status_code == 201, r.text
    assert (await client.post("/v1/handoff-policies", json={"accept_within": "P1M"}, headers=h)).status_code == 422
    assert (await client.post("/v1/handoff-policies", json={"from_unit_id": sales}, headers=h)).status_code == 422

    def hours(sent: dict[str, object], field: str) -> float:
        from datetime import datetime

        start = datetime.fromisoformat(str(sent["sla"]["accept"]["started_at"]).replace("Z", "+00:00"))  # type: ignore[index]
        return (datetime.fromisoformat(str(sent[field]).replace("Z", "+00:00")) - start).total_seconds() / 3600

    both = await act(client, h, (await handoff(client, h, sales, delivery))["id"], "send")
    assert hours(both, "accept_by") == 2  # both units named
    assert hours(both, "due_at") == 5 * 24  # the most specific policy that sets it: the receiving unit's
    to_only = await act(client, h, (await handoff(client, h, legal, delivery))["id"], "send")
    assert hours(to_only, "accept_by") == 4 and hours(to_only, "due_at") == 5 * 24
    from_only = await act(client, h, (await handoff(client, h, sales, legal))["id"], "send")
    assert hours(from_only, "accept_by") == 8 and hours(from_only, "due_at") == 240
    anything = await act(client, h, (await handoff(client, h, legal, sales))["id"], "send")
    assert hours(anything, "accept_by") == 24 and hours(anything, "due_at") == 240
    given = await handoff(client, h, sales, delivery, accept_by="2030-01-01T00:00:00Z")
    assert (await act(client, h, given["id"], "send"))["accept_by"] == "2030-01-01T00:00:00Z"
