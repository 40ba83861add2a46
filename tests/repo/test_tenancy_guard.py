"""Tenancy by construction: a unit of work bound to an organization runs only statements that carry the
organization criterion, fills it with its own organization, and writes rows of its own organization only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import bindparam, delete, func, insert, select, update

from app.repo.engine import make_engine
from app.repo.platform import ORG_INSERT
from app.repo.repositories import table
from app.repo.sql import ORG, TenancyViolation, org_criterion
from app.repo.tables import ApiClientRow, EventRow, OrganizationRow
from app.repo.tenancy import CrossTenantWrite
from app.repo.uow import Database
from tests.conftest import empty_tables

C = table(ApiClientRow)
E = table(EventRow)
ORGS = table(OrganizationRow)


def _client(org: str, n: int) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        ORG: org,
        "id": f"client_{org}_{n}",
        "name": f"{org}-{n}",
        "scopes": [],
        "secret_hash": "h",
        "external_refs": {},
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


CLIENT_INSERT = insert(C).values(
    {
        **{c.name: bindparam(c.name, type_=c.type) for c in C.columns if c.name != "organization_id"},
        "organization_id": bindparam(ORG),
    }
)


@pytest.fixture
async def db(database_url: str):  # type: ignore[no-untyped-def]
    database = Database(make_engine(database_url))
    async with database.system_unit_of_work(write=True) as uow:
        now = datetime.now(UTC)
        for org in ("org_a", "org_b"):
            params = {"id": org, "name": org, "slug": org.replace("_", "-"), "created_at": now, "updated_at": now}
            await uow.sql.run(ORG_INSERT, {**params, "version": 1, "time_zone": "UTC"})
        await uow.sql.run_many(CLIENT_INSERT, [_client("org_a", 1), _client("org_a", 2), _client("org_b", 1)])
        await uow.commit()
    yield database
    await database.dispose()
    await empty_tables(database_url)


UNSCOPED = {
    "select": select(C.c.id),
    "count": select(func.count()).select_from(C),
    "join": select(ORGS.c.id).join(C, C.c.organization_id == ORGS.c.id),
    "subquery": select(ORGS.c.id).where(ORGS.c.id.in_(select(C.c.organization_id).scalar_subquery())),
    "update": update(C).values(name="x"),
    "delete": delete(C).where(C.c.name == "org_a-2"),
    "insert": insert(E).values(
        id="evt_1", type="t", organization_id="org_a", occurred_at=datetime.now(UTC), actor={}, data={}
    ),
}


@pytest.mark.parametrize("kind", sorted(UNSCOPED))
async def test_a_statement_without_the_organization_criterion_is_refused(db: Database, kind: str) -> None:
    with pytest.raises(TenancyViolation):
        async with db.unit_of_work("org_b", write=True) as uow:
            await uow.sql.rows(UNSCOPED[kind]) if kind in (
                "select",
                "count",
                "join",
                "subquery",
            ) else await uow.sql.run(UNSCOPED[kind])
    async with db.system_unit_of_work() as uow:  # nothing changed
        names = sorted(r[0] for r in await uow.sql.rows(select(C.c.name)))
    assert names == ["org_a-1", "org_a-2", "org_b-1"]


async def test_scoped_statements_see_and_change_one_organization(db: Database) -> None:
    async with db.unit_of_work("org_b", write=True) as uow:
        assert await uow.sql.rows(select(C.c.organization_id).where(org_criterion(C))) == [("org_b",)]
        assert await uow.sql.scalar(select(func.count()).select_from(C).where(org_criterion(C))) == 1
        assert await uow.sql.row(select(C.c.id).where(org_criterion(C), C.c.id == "client_org_a_1")) is None
        assert await uow.sql.run(update(C).where(org_criterion(C)).values(name="renamed by b")) == 1
        assert await uow.sql.run(delete(C).where(org_criterion(C), C.c.name == "org_a-2")) == 0
        # a row is written with the unit of work's organization, whatever the caller names
        await uow.sql.run(CLIENT_INSERT, {k: v for k, v in _client("org_b", 7).items() if k != ORG})
        await uow.commit()
    async with db.system_unit_of_work() as uow:
        rows = sorted(await uow.sql.rows(select(C.c.organization_id, C.c.name)))
    assert rows == [("org_a", "org_a-1"), ("org_a", "org_a-2"), ("org_b", "org_b-7"), ("org_b", "renamed by b")]


async def test_another_organizations_event_cannot_be_recorded(db: Database) -> None:
    from app.domain.events import Event

    with pytest.raises(CrossTenantWrite):
        async with db.unit_of_work("org_b", write=True) as uow:
            uow.record(
                Event(
                    id="evt_x",
                    type="unit.created",
                    organization_id="org_a",
                    occurred_at=datetime.now(UTC),
                    actor={},
                    object={},
                )
            )
            await uow.commit()


async def test_platform_units_of_work_see_no_organization_rows(db: Database) -> None:
    async with db.unit_of_work(None, write=False) as uow:
        assert await uow.sql.rows(select(C.c.id).where(org_criterion(C))) == []
        assert await uow.sql.rows(select(E.c.id).where(org_criterion(E))) == []
        # organizations themselves are the platform's to see
        assert len(await uow.sql.rows(select(ORGS.c.id))) == 2
