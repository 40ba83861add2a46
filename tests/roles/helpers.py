"""Small factories for the tests of roles and RACI."""

from __future__ import annotations

from typing import Any

import httpx

from tests.handoffs.helpers import handoff, member, person
from tests.objectives.helpers import key_result, objective, unit

__all__ = ["assign", "entry", "handoff", "key_result", "member", "objective", "person", "resolve", "role", "unit"]


async def role(client: httpx.AsyncClient, h: dict[str, str], name: str, **fields: Any) -> str:
    r = await client.post("/v1/roles", json={"name": name, **fields}, headers=h)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def assign(client: httpx.AsyncClient, h: dict[str, str], role_id: str, person_id: str, **fields: Any) -> str:
    r = await client.post(
        "/v1/role-assignments", json={"role_id": role_id, "person_id": person_id, **fields}, headers=h
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


SUBJECT_TYPES = {"obj": "objective", "kr": "key_result", "ho": "handoff", "unit": "unit"}
PARTY_TYPES = {"person": "person", "unit": "unit", "role": "role"}


async def entry(
    client: httpx.AsyncClient, h: dict[str, str], subject: str, party: str, letter: str, **fields: Any
) -> dict[str, Any]:
    body = {
        "subject_type": SUBJECT_TYPES[subject.split("_")[0]],
        "subject_id": subject,
        "party_type": PARTY_TYPES[party.split("_")[0]],
        "party_id": party,
        "letter": letter,
        **fields,
    }
    r = await client.post("/v1/raci", json=body, headers=h)
    assert r.status_code == 201, r.text
    found: dict[str, Any] = r.json()
    return found


async def resolve(client: httpx.AsyncClient, h: dict[str, str], subject: str) -> dict[str, Any]:
    r = await client.get("/v1/raci/resolve", params={"subject_id": subject}, headers=h)
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


def people(resolved: dict[str, Any], letter: str) -> set[str]:
    return {h["person_id"] for h in resolved[letter]}
