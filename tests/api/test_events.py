"""The event log: written in the same transaction as the change; an aborted change leaves none."""

from __future__ import annotations

import httpx
import pytest

from app.domain.api_clients.service import ApiClients
from app.domain.errors import Conflict
from app.domain.principal import Principal
from tests.factories import make_api_client, make_org


async def test_committed_changes_are_in_the_log(client: httpx.AsyncClient) -> None:
    org, h = await make_org(client)
    c = await make_api_client(client, h, name="one")
    await client.patch(f"/v1/api-clients/{c['id']}", json={"name": "two"}, headers=h)
    await client.delete(f"/v1/api-clients/{c['id']}", headers=h)
    events = (await client.get("/v1/events", headers=h)).json()["data"]
    assert [e["type"] for e in events] == [
        "organization.created",
        "api_client.created",
        "api_client.updated",
        "api_client.deleted",
    ]
    updated = events[2]
    assert updated["organization_id"] == org and updated["id"].startswith("evt_")
    assert updated["actor"] == {"type": "token", "id": "tester"}
    assert updated["data"]["object"]["name"] == "two" and updated["data"]["object"]["version"] == 2
    assert updated["data"]["previous_attributes"] == {"name": "one"}
    assert "secret_hash" not in str(events)
    one = await client.get(f"/v1/events/{updated['id']}", headers=h)
    assert one.json() == updated


async def test_filters_and_after(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    for i in range(3):
        await make_api_client(client, h, name=f"c{i}")
    created = (await client.get("/v1/events", params={"type": "api_client.created"}, headers=h)).json()["data"]
    assert len(created) == 3
    both = (
        await client.get("/v1/events", params={"type": "api_client.created,organization.created"}, headers=h)
    ).json()["data"]
    assert len(both) == 4
    after = (await client.get("/v1/events", params={"after": created[0]["id"]}, headers=h)).json()["data"]
    assert [e["id"] for e in after] == [e["id"] for e in created[1:]]
    assert (await client.get("/v1/events", params={"type": "no.such"}, headers=h)).status_code == 422


async def test_the_type_filter_takes_the_patterns_endpoints_take(client: httpx.AsyncClient) -> None:
    """`unit.*`, `*` and exact names, as webhook endpoints subscribe; a family of an area without events
    yet is an empty page, a pattern no endpoint could take a 422."""
    _org, h = await make_org(client)
    unit = (await client.post("/v1/units", json={"name": "Sales", "kind": "department"}, headers=h)).json()
    await client.patch(
        f"/v1/units/{unit['id']}",
        content=b'{"name": "Sales EMEA"}',
        headers={**h, "Content-Type": "application/merge-patch+json"},
    )
    await client.post("/v1/people", json={"given_name": "A", "family_name": "B", "email": "a@example.com"}, headers=h)

    async def types(pattern: str) -> list[str]:
        r = await client.get("/v1/events", params={"type": pattern}, headers=h)
        assert r.status_code == 200, r.text
        return [e["type"] for e in r.json()["data"]]

    assert await types("unit.*") == ["unit.created", "unit.updated"]
    assert await types("unit.*,person.created") == ["unit.created", "unit.updated", "person.created"]
    assert set(await types("*")) >= {"organization.created", "unit.created", "unit.updated", "person.created"}
    assert await types("handoff.*") == []
    for bad in ("unit.", "unit*", "*.created", "nosuch.*", "unit.**"):
        assert (await client.get("/v1/events", params={"type": bad}, headers=h)).status_code == 422, bad


async def test_an_aborted_transaction_leaves_no_event(client: httpx.AsyncClient, app: object) -> None:
    org, h = await make_org(client)
    db = app.state.db  # type: ignore[attr-defined]
    admin = Principal(subject="t", organization_id=org, scopes=frozenset({"admin"}))

    # the change and its event are staged, then the work fails before commit
    with pytest.raises(RuntimeError):
        async with db.unit_of_work(org, write=True) as uow:
            await ApiClients(uow, admin).create("doomed", [])
            raise RuntimeError("the request failed after the change was staged")

    # the commit itself fails (a duplicate primary key reaches the database at commit)
    with pytest.raises(Conflict):
        async with db.unit_of_work(org, write=True) as uow:
            await ApiClients(uow, admin).create("also doomed", [])
            staged = uow._staged[-1]
            uow.record(staged)  # the same event twice: its primary key is duplicated at commit
            await uow.commit()

    types = [e["type"] for e in (await client.get("/v1/events", headers=h)).json()["data"]]
    assert types == ["organization.created"]
    assert (await client.get("/v1/api-clients", headers=h)).json()["data"] == []

    async with db.unit_of_work(org, write=True) as uow:  # and a committed one is there
        await ApiClients(uow, admin).create("kept", [])
        await uow.commit()
    types = [e["type"] for e in (await client.get("/v1/events", headers=h)).json()["data"]]
    assert types == ["organization.created", "api_client.created"]
