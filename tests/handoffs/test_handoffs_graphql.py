"""Handoffs in GraphQL: the same fields as REST, each action a mutation with `userErrors` in REST's words,
a unit's incoming and outgoing handoffs."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import make_org
from tests.handoffs.helpers import act, handoff, unit


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


async def _graphql(client: httpx.AsyncClient, h: dict[str, str], query: str, **variables: Any) -> dict[str, Any]:
    body = (await client.post("/graphql", json={"query": query, "variables": variables}, headers=h)).json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def test_handoffs_in_graphql(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    sales, delivery, emea = [await unit(client, h, n) for n in ("Sales", "Delivery", "EMEA")]
    ho = await handoff(client, h, sales, delivery, payload={"deal": {"amount": 1200}}, priority="high",
                       checklist=[{"item": "Contract", "required": True}], external_refs={"crm": "D-1"})  # fmt: skip
    await act(client, h, ho["id"], "send")
    rest = (await client.get(f"/v1/handoffs/{ho['id']}", headers=h)).json()
    fields = " ".join(_camel(k) for k in rest)
    data = await _graphql(client, h, f"query($id: ID!) {{ handoff(id: $id) {{ {fields} }} }}", id=ho["id"])
    assert {k: data["handoff"][_camel(k)] for k in rest} == rest

    done = await _graphql(
        client,
        h,
        "mutation($id: ID!) { completeHandoff(id: $id) { handoff { status } userErrors { field code } } }",
        id=ho["id"],
    )
    assert done["completeHandoff"] == {"handoff": None, "userErrors": [{"field": "/status", "code": "conflict"}]}
    rest_refusal = await act(client, h, ho["id"], "complete", expect=409)
    assert rest_refusal["type"].endswith("conflict")
    bad = await _graphql(
        client,
        h,
        'mutation($id: ID!) { declineHandoff(id: $id, reasonCode: "bored") { userErrors { field code } } }',
        id=ho["id"],
    )
    rest_bad = (await client.post(f"/v1/handoffs/{ho['id']}/decline", json={"reason_code": "bored"}, headers=h)).json()
    assert {(e["field"], e["code"]) for e in bad["declineHandoff"]["userErrors"]} == {
        (e["field"], e["code"]) for e in rest_bad["errors"]
    }
    moved = await _graphql(
        client, h,
        "mutation($id: ID!, $to: ID!) { forwardHandoff(id: $id, toUnitId: $to, note: \"EMEA's\") "
        "{ handoff { status toUnit { id } timeline } userErrors { code } } }",
        id=ho["id"], to=emea,
    )  # fmt: skip
    assert moved["forwardHandoff"]["handoff"]["toUnit"] == {"id": emea}
    assert [t["action"] for t in moved["forwardHandoff"]["handoff"]["timeline"]] == ["create", "send", "forward"]
    units = await _graphql(
        client, h,
        "query($a: ID!, $b: ID!) { a: unit(id: $a) { outgoingHandoffs { id } } b: unit(id: $b) { incomingHandoffs { id } } }",
        a=sales, b=emea,
    )  # fmt: skip
    assert units == {"a": {"outgoingHandoffs": [{"id": ho["id"]}]}, "b": {"incomingHandoffs": [{"id": ho["id"]}]}}
    listed = await _graphql(client, h, '{ handoffs(externalRef: "crm:D-1", status: "sent") { edges { node { id } } } }')
    assert listed["handoffs"]["edges"] == [{"node": {"id": ho["id"]}}]
    comment = await _graphql(
        client,
        h,
        'mutation($id: ID!) { addHandoffComment(id: $id, body: "On it") { comment { body } userErrors { code } } }',
        id=ho["id"],
    )
    assert comment["addHandoffComment"] == {"comment": {"body": "On it"}, "userErrors": []}
