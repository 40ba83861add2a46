"""Repositories: domain objects in, domain objects out. They are built on a session bound to one
organization (see tenancy.py), so none of them can read or write another organization's rows."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import fields as dc_fields
from typing import Any, Generic, TypeVar

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.domain.api_clients.model import ApiClient, ClientCredentials
from app.domain.errors import Conflict, PreconditionFailed
from app.domain.events import Event
from app.domain.model import ExternallyReferenced, ListQuery, Page
from app.domain.organizations.model import Organization
from app.repo.point_reads import point_read_plan
from app.repo.tables import ApiClientRow, EventRow, ExternalRefRow, OrganizationRow

E = TypeVar("E", bound=ExternallyReferenced)
BATCH = 2000


@asynccontextmanager
async def unique_violation_is_conflict(detail: str) -> Any:
    try:
        yield
    except IntegrityError as exc:
        raise Conflict(detail) from exc


def paged(rows: list[Any], limit: int, to_domain: Callable[[Any], Any]) -> Page[Any]:
    items = [to_domain(r) for r in rows[:limit]]
    return Page(items=items, next_after=rows[limit - 1].id if len(rows) > limit else None)


class SqlRepository(Generic[E]):
    """The conventions every collection shares: get, keyset pages, version-guarded saves, external refs."""

    row: type[Any]
    entity: type[E]
    collection: str

    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    def to_entity(self, row: Any) -> E:
        names = {f.name for f in dc_fields(self.entity)}
        return self.entity(**{n: getattr(row, n) for n in names})

    def to_values(self, entity: E) -> dict[str, Any]:
        attributes = set(self.row.model_fields)
        return {f.name: getattr(entity, f.name) for f in dc_fields(entity) if f.name in attributes}

    async def _after_write(self, entities: list[E], *, deleted: bool = False) -> None:
        """Versioned collections keep every version (see VersionedSqlRepository)."""

    async def get(self, object_id: str, *, for_update: bool = False) -> E | None:
        if not for_update:
            return await self._point_read(object_id)
        stmt = select(self.row).where(col(self.row.id) == object_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return None if row is None else self.to_entity(row)

    async def _point_read(self, object_id: str) -> E | None:
        """The hottest read, without ORM objects: one driver-level statement, its tenancy filter written
        into it (the session hook only sees ORM statements)."""
        conn = await self.session.connection()
        plan = point_read_plan(self.row, self.entity, conn.dialect)
        row = (await conn.exec_driver_sql(plan.sql, (self.organization_id, object_id))).first()
        return None if row is None else plan.decode(row)

    async def list(self, query: ListQuery) -> Page[E]:
        stmt = select(self.row).order_by(self.row.id).limit(query.limit + 1)
        if query.after:
            stmt = stmt.where(col(self.row.id) > query.after)
        if query.updated_since is not None:
            stmt = stmt.where(col(self.row.updated_at) >= query.updated_since)
        if query.external_ref is not None:
            system, external_id = query.external_ref
            stmt = stmt.where(col(self.row.id).in_(self._ref_owner(system, external_id)))
        for name, value in query.filters.items():
            stmt = stmt.where(getattr(self.row, name) == value)
        rows = list((await self.session.execute(stmt)).scalars())
        return paged(rows, query.limit, self.to_entity)

    async def add(self, entity: E) -> None:
        self.session.add(self.row(**self.to_values(entity)))
        async with unique_violation_is_conflict(f"{entity.id} conflicts with an existing object."):
            await self.session.flush()
        await self._write_refs(entity)
        await self._after_write([entity])

    async def save(self, entity: E, *, expected_version: int) -> None:
        values = self.to_values(entity)
        values.pop("id")
        result = await self.session.execute(
            update(self.row)
            .where(col(self.row.id) == entity.id, col(self.row.version) == expected_version)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise PreconditionFailed(f"{entity.id} was changed by another request; read it again.")
        await self._write_refs(entity)
        await self._after_write([entity])

    async def delete(self, entity: E) -> None:
        await self.session.execute(
            delete(ExternalRefRow).where(
                col(ExternalRefRow.collection) == self.collection, col(ExternalRefRow.object_id) == entity.id
            )
        )
        await self.session.execute(delete(self.row).where(col(self.row.id) == entity.id))
        await self._after_write([entity], deleted=True)

    async def find_by_external_ref(self, system: str, external_id: str) -> E | None:
        stmt = select(self.row).where(col(self.row.id).in_(self._ref_owner(system, external_id)))
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return None if row is None else self.to_entity(row)

    def _ref_owner(self, system: str, external_id: str) -> Any:
        return select(col(ExternalRefRow.object_id)).where(
            col(ExternalRefRow.organization_id) == self.organization_id,
            col(ExternalRefRow.collection) == self.collection,
            col(ExternalRefRow.system) == system,
            col(ExternalRefRow.external_id) == external_id,
        )

    async def _write_refs(self, entity: E) -> None:
        await self.session.execute(
            delete(ExternalRefRow).where(
                col(ExternalRefRow.collection) == self.collection, col(ExternalRefRow.object_id) == entity.id
            )
        )
        for system, external_id in entity.external_refs.items():
            self.session.add(
                ExternalRefRow(
                    organization_id=self.organization_id,
                    collection=self.collection,
                    system=system,
                    external_id=external_id,
                    object_id=entity.id,
                )
            )
        async with unique_violation_is_conflict("An external ref of this object already belongs to another one."):
            await self.session.flush()


class ApiClientRepository(SqlRepository[ApiClient]):
    row = ApiClientRow
    entity = ApiClient
    collection = "api_clients"


class OrganizationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _entity(row: OrganizationRow) -> Organization:
        return Organization(
            id=row.id,
            organization_id=row.id,
            name=row.name,
            slug=row.slug,
            created_at=row.created_at,
            updated_at=row.updated_at,
            version=row.version,
        )

    async def get(self, organization_id: str) -> Organization | None:
        row = await self.session.get(OrganizationRow, organization_id)
        return None if row is None else self._entity(row)

    async def get_by_slug(self, slug: str) -> Organization | None:
        row = (await self.session.execute(select(OrganizationRow).where(col(OrganizationRow.slug) == slug))).scalar()
        return None if row is None else self._entity(row)

    async def list(self, query: ListQuery) -> Page[Organization]:
        stmt = select(OrganizationRow).order_by(OrganizationRow.id).limit(query.limit + 1)
        if query.after:
            stmt = stmt.where(col(OrganizationRow.id) > query.after)
        if query.updated_since is not None:
            stmt = stmt.where(col(OrganizationRow.updated_at) >= query.updated_since)
        return paged(list((await self.session.execute(stmt)).scalars()), query.limit, self._entity)

    async def add(self, organization: Organization) -> None:
        self.session.add(
            OrganizationRow(
                id=organization.id,
                name=organization.name,
                slug=organization.slug,
                created_at=organization.created_at,
                updated_at=organization.updated_at,
                version=organization.version,
            )
        )
        async with unique_violation_is_conflict(f"The slug {organization.slug!r} is taken."):
            await self.session.flush()


class CredentialStore:
    """Unscoped by design: it runs before the caller's organization is known, and answers one client."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find_client(self, client_id: str) -> ClientCredentials | None:
        row = (await self.session.execute(select(ApiClientRow).where(col(ApiClientRow.id) == client_id))).scalar()
        if row is None:
            return None
        return ClientCredentials(row.id, row.organization_id, list(row.scopes), row.secret_hash)


class EventLog:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _entity(row: EventRow) -> Event:
        return Event(
            id=row.id,
            type=row.type,
            organization_id=row.organization_id,
            occurred_at=row.occurred_at,
            actor=row.actor,
            object=row.data.get("object", {}),
            previous_attributes=row.data.get("previous_attributes", {}),
        )

    async def write(self, events: list[Event]) -> None:
        if not events:
            return
        rows = [
            {
                "id": ev.id,
                "type": ev.type,
                "organization_id": ev.organization_id,
                "occurred_at": ev.occurred_at,
                "actor": ev.actor,
                "data": ev.data,
            }
            for ev in events
        ]
        for start in range(0, len(rows), BATCH):
            await self.session.execute(insert(EventRow), rows[start : start + BATCH])

    async def get(self, event_id: str) -> Event | None:
        row = (await self.session.execute(select(EventRow).where(col(EventRow.id) == event_id))).scalar()
        return None if row is None else self._entity(row)

    async def list(self, query: ListQuery, types: list[str] | None = None) -> Page[Event]:
        stmt = select(EventRow).order_by(EventRow.id).limit(query.limit + 1)
        if query.after:
            stmt = stmt.where(col(EventRow.id) > query.after)
        if query.updated_since is not None:
            stmt = stmt.where(col(EventRow.occurred_at) >= query.updated_since)
        if types:
            stmt = stmt.where(col(EventRow.type).in_(types))
        return paged(list((await self.session.execute(stmt)).scalars()), query.limit, self._entity)
