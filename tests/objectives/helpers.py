"""Small factories for objectives' tests."""

from __future__ import annotations

from typing import Any

import httpx


async def unit(client: httpx.AsyncClient, h: dict[str, str], name: str, **fields: Any) -> str:
    r = await client.post("/v1/units", json={"name": name, "kind": "department", **fields}, headers=h)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def objective(client: httpx.AsyncClient, h: dict[str, str], owner: str, **fields: Any) -> dict[str, Any]:
    body = {
        "title": fields.pop("title", "Objective"),
        "period_start": "2026-07-01",
        "period_end": "2026-09-30",
        "owner_unit_id": owner,
        "status": "active",
        **fields,
    }
    r = await client.post("/v1/objectives", json=body, headers=h)
    assert r.status_code == 201, r.text
    found: dict[str, Any] = r.json()
    return found


async def key_result(
    client: httpx.AsyncClient, h: dict[str, str], objective_id: str, target: float, **fields: Any
) -> dict[str, Any]:
    body = {"objective_id": objective_id, "title": fields.pop("title", "Measure"), "target_value": target, **fields}
    r = await client.post("/v1/key-results", json=body, headers=h)
    assert r.status_code == 201, r.text
    found: dict[str, Any] = r.json()
    return found


async def check_in(
    client: httpx.AsyncClient, h: dict[str, str], key_result_id: str, value: float, **fields: Any
) -> dict[str, Any]:
    r = await client.post("/v1/check-ins", json={"key_result_id": key_result_id, "value": value, **fields}, headers=h)
    assert r.status_code == 201, r.text
    found: dict[str, Any] = r.json()
    return found


async def get(client: httpx.AsyncClient, h: dict[str, str], path: str) -> dict[str, Any]:
    r = await client.get(path, headers=h)
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found
