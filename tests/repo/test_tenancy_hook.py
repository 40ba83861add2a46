"""Tenancy by construction: statements that name no organization are still scoped to the session's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select, update

from app.repo.engine import make_engine
from app.repo.tables import ApiClientRow, EventRow, OrganizationRow
from app.repo.tenancy import CrossTenantWrite
from app.repo.uow import Database
from tests.conftest import empty_tables


def _client(org: str, n: int) -> ApiClientRow:
    now = datetime.now(UTC)
    return ApiClientRow(
        id=f"client_{org}_{n}",
        organization_id=org,
        name=f"{org}-{n}",
        scopes=[],
        secret_hash="h",
        external_refs={},
        created_at=now,
        updated_at=now,
        version=1,
    )


@pytest.fixture
async def db(database_url: str):  # type: ignore[no-untyped-def]
    database = Database(make_engine(database_url, null_pool=True))
    async with database.system_unit_of_work(write=True) as uow:
        now = datetime.now(UTC)
        for org in ("org_a", "org_b"):
            uow.session.add(
                OrganizationRow(id=org, name=org, slug=org.replace("_", "-"), created_at=now, updated_at=now, version=1)
            )
        await uow.session.flush()
        uow.session.add_all([_client("org_a", 1), _client("org_a", 2), _client("org_b", 1)])
        await uow.commit()
    yield database
    await database.dispose()
    await empty_tables(database_url)


async def test_unfiltered_statements_see_one_organization(db: Database) -> None:
    async with db.unit_of_work("org_b", write=True) as uow:
        rows = (await uow.session.execute(select(ApiClientRow))).scalars().all()
        assert [r.organization_id for r in rows] == ["org_b"]
        assert (await uow.session.execute(select(func.count()).select_from(ApiClientRow))).scalar() == 1
        assert await uow.session.get(ApiClientRow, "client_org_a_1") is None
        await uow.session.execute(update(ApiClientRow).values(name="renamed by b"))
        await uow.session.execute(delete(ApiClientRow).where(ApiClientRow.name == "org_a-2"))
        await uow.commit()
    async with db.system_unit_of_work() as uow:
        names = sorted((await uow.session.execute(select(ApiClientRow.name))).scalars())
    assert names == ["org_a-1", "org_a-2", "renamed by b"]


async def test_a_row_of_another_organization_cannot_be_written(db: Database) -> None:
    with pytest.raises(CrossTenantWrite):
        async with db.unit_of_work("org_b", write=True) as uow:
            uow.session.add(_client("org_a", 9))
            await uow.session.flush()


async def test_platform_sessions_see_no_organization_rows(db: Database) -> None:
    async with db.unit_of_work(None, write=False) as uow:
        assert (await uow.session.execute(select(ApiClientRow))).scalars().all() == []
        assert (await uow.session.execute(select(EventRow))).scalars().all() == []
        # organizations themselves are the platform's to see
        assert len((await uow.session.execute(select(OrganizationRow))).scalars().all()) == 2
