"""Removing the organization criterion from any repository statement fails: every statement the API's
requests run on a tenant table is recorded, then each is mutated (its `organization_id = :_org` made
`true`, or, in an insert, the organization written as another's), and the guard must refuse every
mutant. A statement that no longer names its organization cannot run, whichever repository holds it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import literal, true
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BinaryExpression, BindParameter

import app.repo.sql as sql_module
from app.repo.sql import ORG, TenancyViolation, check_tenancy
from tests.factories import make_api_client, make_org


def _without_criterion(stmt: Any) -> Any:
    def replace(element: Any) -> Any:
        right = getattr(element, "right", None)
        if isinstance(element, BinaryExpression) and isinstance(right, BindParameter) and right.key == ORG:
            return true()
        if isinstance(element, BindParameter) and element.key == ORG:
            return literal("org_someone_else")
        return None

    return visitors.replacement_traverse(stmt, {}, replace)


async def _exercise(client: httpx.AsyncClient) -> None:
    """A day of an integrator's requests, touching every collection's reads and writes."""
    _org, h = await make_org(client)
    merge = {**h, "Content-Type": "application/merge-patch+json"}
    sales = (await client.post("/v1/units", json={"name": "Sales", "kind": "department"}, headers=h)).json()
    team = (
        await client.post("/v1/units", json={"name": "EMEA", "kind": "team", "parent_id": sales["id"]}, headers=h)
    ).json()
    boss = (
        await client.post("/v1/people", json={"given_name": "B", "family_name": "Oss", "email": "b@x.org"}, headers=h)
    ).json()
    ada = (
        await client.post(
            "/v1/people",
            json={"given_name": "Ada", "family_name": "L", "email": "a@x.org", "manager_id": boss["id"]},
            headers={**h, "Idempotency-Key": "k1"},
        )
    ).json()
    m = (
        await client.post(
            "/v1/memberships", json={"person_id": ada["id"], "unit_id": team["id"], "primary": True}, headers=h
        )
    ).json()
    for path in (
        "/v1/units",
        f"/v1/units/{team['id']}",
        f"/v1/units/{sales['id']}/descendants",
        f"/v1/units/{team['id']}/ancestors",
        "/v1/org-chart",
        "/v1/people?external_ref=hr:1",
        f"/v1/people/{ada['id']}",
        f"/v1/people/{boss['id']}/reports?recursive=true",
        f"/v1/people/{ada['id']}/management-chain",
        "/v1/memberships",
        f"/v1/memberships/{m['id']}",
        "/v1/events?type=unit.*",
        "/v1/units?as_of=2030-01-01T00:00:00Z",
    ):
        assert (await client.get(path, headers=h)).status_code == 200, path
    assert (
        await client.patch(f"/v1/units/{team['id']}", content=b'{"name":"EMEA+"}', headers=merge)
    ).status_code == 200
    assert (await client.patch(f"/v1/people/{ada['id']}", content=b'{"title":"Eng"}', headers=merge)).status_code == 200
    assert (
        await client.put("/v1/units/by-external-ref/hr/U9", json={"name": "X", "kind": "team"}, headers=h)
    ).is_success
    sync = {"system": "hr", "units": [{"external_id": "U1", "name": "Ops", "kind": "department"}], "people": []}
    assert (await client.post("/v1/sync/org-chart", json=sync, headers=h)).status_code == 200
    assert (await client.post(f"/v1/memberships/{m['id']}/end", json={}, headers=h)).status_code == 200
    await make_api_client(client, h, name="erp")
    endpoint = (
        await client.post(
            "/v1/webhook-endpoints", json={"url": "http://127.0.0.1:9/hooks", "event_types": ["*"]}, headers=h
        )
    ).json()
    assert (await client.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries", headers=h)).status_code == 200
    query = "{ units(first: 5) { edges { node { id members { id } children { id } } } } }"
    assert "errors" not in (await client.post("/graphql", json={"query": query}, headers=h)).json()
    assert (await client.delete(f"/v1/units/{sales['id']}", headers=h)).status_code == 409


async def test_removing_the_criterion_from_any_statement_is_refused(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, app: Any
) -> None:
    seen: dict[int, Any] = {}
    real_plan = sql_module.plan

    def recording_plan(stmt: Any, dialect: Any) -> Any:
        made = real_plan(stmt, dialect)
        if made.tenant_tables and made.scoped:
            seen.setdefault(id(stmt), (stmt, dialect))
        return made

    monkeypatch.setattr(sql_module, "plan", recording_plan)
    await _exercise(client)
    monkeypatch.setattr(sql_module, "plan", real_plan)

    assert len(seen) >= 30, f"only {len(seen)} tenant statements were exercised"
    survivors = []
    for stmt, dialect in seen.values():
        mutant = sql_module._compile(_without_criterion(stmt), dialect)
        assert ORG not in mutant.names, mutant.sql  # the mutation did take the organization out
        try:
            check_tenancy(mutant, "org_under_test")
        except TenancyViolation:
            continue
        survivors.append(mutant.sql)
    print(f"{len(seen)} tenant statements mutated, all refused")
    assert survivors == [], "statements that still run without their organization:\n" + "\n".join(survivors)
