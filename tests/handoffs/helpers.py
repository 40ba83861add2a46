"""Small factories for handoffs' tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.objectives.helpers import unit

__all__ = ["act", "handoff", "member", "person", "unit"]


async def person(client: httpx.AsyncClient, h: dict[str, str], name: str) -> str:
    body = {"given_name": name, "family_name": "X", "email": f"{name.lower()}@example.com"}
    r = await client.post("/v1/people", json=body, headers=h)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def member(client: httpx.AsyncClient, h: dict[str, str], person_id: str, unit_id: str, **fields: Any) -> None:
    r = await client.post("/v1/memberships", json={"person_id": person_id, "unit_id": unit_id, **fields}, headers=h)
    assert r.status_code == 201, r.text


async def handoff(
    client: httpx.AsyncClient, h: dict[str, str], from_unit: str, to_unit: str, **fields: Any
) -> dict[str, Any]:
    body = {"title": fields.pop("title", "Acme renewal"), "from_unit_id": from_unit, "to_unit_id": to_unit, **fields}
    r = await client.post("/v1/handoffs", json=body, headers=h)
    assert r.status_code == 201, r.text
    found: dict[str, Any] = r.json()
    return found


async def act(
    client: httpx.AsyncClient, h: dict[str, str], handoff_id: str, action: str, expect: int = 200, **body: Any
) -> dict[str, Any]:
    r = await client.post(f"/v1/handoffs/{handoff_id}/{action}", json=body or None, headers=h)
    assert r.status_code == expect, r.text
    found: dict[str, Any] = r.json()
    return found
