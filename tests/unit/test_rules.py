"""Domain rules, on in-memory fakes: no database, no HTTP."""

from __future__ import annotations

import time

import pytest

from app.domain.api_clients.service import ApiClients, grant_client_credentials
from app.domain.errors import Conflict, Forbidden, Invalid, NotFound, PreconditionFailed, Unauthenticated
from app.domain.ids import new_id, type_of
from app.domain.organizations.service import Organizations
from app.domain.patch import merge_patch, previous_attributes
from app.domain.principal import Principal
from tests.unit.fakes import FakeClock, FakeUnitOfWork

ADMIN = Principal(subject="t", organization_id="org_1", scopes=frozenset({"admin"}))
READER = Principal(subject="t", organization_id="org_1", scopes=frozenset({"org:read"}))
PLATFORM = Principal(subject="p", organization_id=None, scopes=frozenset({"platform:admin"}))


@pytest.mark.parametrize(
    ("target", "patch", "result"),
    [  # RFC 7396, appendix A
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_merge_patch_follows_rfc_7396(target: object, patch: object, result: object) -> None:
    assert merge_patch(target, patch) == result


def test_previous_attributes_name_only_what_changed() -> None:
    before = {"name": "a", "scopes": ["x"], "version": 1, "updated_at": "t1"}
    after = {"name": "b", "scopes": ["x"], "version": 2, "updated_at": "t2"}
    assert previous_attributes(before, after) == {"name": "a"}


def test_scopes() -> None:
    assert ADMIN.has("org:write") and ADMIN.has("events:read") and not ADMIN.has("platform:admin")
    assert READER.has("org:read") and not READER.has("org:write")
    assert PLATFORM.has("platform:admin") and not PLATFORM.has("org:read") and not PLATFORM.has("admin")
    with pytest.raises(Forbidden):
        READER.require("admin")


def test_ids_are_prefixed_and_time_ordered() -> None:
    ids = [new_id("client") for _ in range(50)]
    assert all(i.startswith("client_") for i in ids)
    assert type_of(ids[0]) == "api_client" and type_of("nope") is None and type_of("x_") is None
    first = new_id("evt")
    time.sleep(0.002)
    assert first < new_id("evt")


async def test_api_client_rules() -> None:
    uow, clock = FakeUnitOfWork(), FakeClock()
    service = ApiClients(uow, ADMIN, clock)  # type: ignore[arg-type]
    with pytest.raises(Invalid) as bad:
        await service.create("", ["org:read", "platform:admin", "nope"])
    assert {e.field for e in bad.value.errors} == {"/name", "/scopes/1", "/scopes/2"}
    client, secret = await service.create("erp", ["org:read", "org:read"], {"sap": "1"})
    assert client.scopes == ["org:read"] and secret.startswith("lsk_") and secret not in str(client.resource())
    assert [e.type for e in uow.staged] == ["api_client.created"]
    with pytest.raises(Conflict):
        await service.create("other", [], {"sap": "1"})
    with pytest.raises(PreconditionFailed):
        await service.update(client.id, {"name": "x"}, expected_version=7)
    with pytest.raises(Invalid):
        await service.update(client.id, {"name": None})
    with pytest.raises(Invalid):
        await service.update(client.id, {"secret_hash": "mine"})
    unchanged = await service.update(client.id, {"name": "erp"})
    assert unchanged.version == 1 and len(uow.staged) == 1
    changed = await service.update(client.id, {"external_refs": {"sap": None, "crm": "9"}}, expected_version=1)
    assert changed.version == 2 and changed.external_refs == {"crm": "9"}
    assert uow.staged[-1].previous_attributes == {"external_refs": {"sap": "1"}}
    with pytest.raises(Invalid):
        await service.upsert_by_external_ref("crm", "9", {"name": "n", "scopes": [], "external_refs": {"crm": "8"}})
    with pytest.raises(Forbidden):
        await ApiClients(uow, READER, clock).get(client.id)  # type: ignore[arg-type]
    await service.delete(client.id)
    with pytest.raises(NotFound):
        await service.get(client.id)


async def test_client_credentials_grant() -> None:
    uow = FakeUnitOfWork()
    client, secret = await ApiClients(uow, ADMIN, FakeClock()).create("erp", ["org:read", "events:read"])  # type: ignore[arg-type]
    creds, scopes = await grant_client_credentials(uow.credentials, client.id, secret, None)
    assert creds.organization_id == "org_1" and scopes == ["events:read", "org:read"]
    assert (await grant_client_credentials(uow.credentials, client.id, secret, "org:read"))[1] == ["org:read"]
    with pytest.raises(Forbidden):
        await grant_client_credentials(uow.credentials, client.id, secret, "admin")
    with pytest.raises(Unauthenticated):
        await grant_client_credentials(uow.credentials, client.id, secret + "x", None)
    with pytest.raises(Unauthenticated):
        await grant_client_credentials(uow.credentials, "client_nope", secret, None)


async def test_organization_rules() -> None:
    uow, clock = FakeUnitOfWork(), FakeClock()
    org = await Organizations(uow, PLATFORM, clock).create("Acme", "acme")  # type: ignore[arg-type]
    assert uow.staged[0].organization_id == org.id
    with pytest.raises(Conflict):
        await Organizations(uow, PLATFORM, clock).create("Acme 2", "acme")  # type: ignore[arg-type]
    with pytest.raises(Invalid):
        await Organizations(uow, PLATFORM, clock).create("X", "Not A Slug")  # type: ignore[arg-type]
    with pytest.raises(Forbidden):
        await Organizations(uow, ADMIN, clock).create("X", "x")  # type: ignore[arg-type]
    own = Principal(subject="t", organization_id=org.id, scopes=frozenset({"org:read"}))
    assert (await Organizations(uow, own, clock).get(org.id)).slug == "acme"  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        await Organizations(uow, ADMIN, clock).get(org.id)  # type: ignore[arg-type]


def test_event_type_matching_and_fan_out() -> None:
    from datetime import UTC, datetime

    from app.domain.events import Event
    from app.domain.events import pattern_matches as matches
    from app.domain.webhooks.model import WebhookEndpoint
    from app.domain.webhooks.service import fan_out

    assert matches(["unit.*"], "unit.moved") and not matches(["unit.*"], "units.x") and matches(["*"], "person.created")
    assert matches(["person.created"], "person.created") and not matches(["person.created"], "person.updated")
    now = datetime(2026, 11, 22, tzinfo=UTC)

    def ep(i: str, types: list[str], enabled: bool = True) -> WebhookEndpoint:
        return WebhookEndpoint(
            id=i,
            organization_id="org_1",
            created_at=now,
            updated_at=now,
            url="https://x.test/h",
            event_types=types,
            secret="whsec_AAAA",
            enabled=enabled,
        )

    events = [
        Event(id=f"evt_{t}", type=t, organization_id="org_1", occurred_at=now, actor={}, object={"id": "x"})
        for t in ("unit.created", "person.created")
    ]
    out = fan_out(events, [ep("wh_a", ["unit.*"]), ep("wh_b", ["*"]), ep("wh_c", ["*"], enabled=False)], now)
    assert sorted((d.endpoint_id, d.message_id) for d in out) == [
        ("wh_a", "evt_unit.created"),
        ("wh_b", "evt_person.created"),
        ("wh_b", "evt_unit.created"),
    ]
    assert out[0].payload["id"] == out[0].message_id and set(out[0].payload) == {"id", "type", "timestamp", "data"}


def test_retry_schedule_with_jitter_and_retry_after() -> None:
    import random
    from datetime import UTC, datetime

    from app.domain.webhooks.model import next_attempt

    now = datetime(2026, 11, 22, tzinfo=UTC)
    schedule = [5, 300]
    rnd = random.Random(1)
    for _ in range(50):
        delay = (next_attempt(now, 1, schedule, None, rnd) - now).total_seconds()  # type: ignore[operator]
        assert 4.0 <= delay <= 6.0
    assert (next_attempt(now, 1, schedule, 120, rnd) - now).total_seconds() == 120  # type: ignore[operator]
    assert (next_attempt(now, 2, schedule, 10**9, rnd) - now).total_seconds() == 12 * 3600  # type: ignore[operator]
    assert next_attempt(now, 3, schedule, None, rnd) is None


def test_addresses_that_deliveries_may_not_reach() -> None:
    from app.domain.webhooks.model import address_allowed

    for bad in (
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "64:ff9b::a00:1",
        "ff02::1",
    ):
        assert not address_allowed(bad), bad
    for good in ("93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"):
        assert address_allowed(good), good
