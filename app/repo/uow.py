"""The unit of work: one session, one transaction, the repositories bound to one organization, and the
events staged by the services, written to the events table just before commit."""

from __future__ import annotations

from datetime import UTC, datetime
from types import TracebackType

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.domain.errors import Conflict
from app.domain.events import Event
from app.domain.webhooks.service import fan_out
from app.repo.engine import WRITE_OPTION, is_sqlite
from app.repo.idempotency import IdempotencyStore
from app.repo.org_chart import MembershipRepository, PersonRepository, UnitRepository
from app.repo.point_reads import PointReads
from app.repo.repositories import ApiClientRepository, CredentialStore, EventLog, OrganizationRepository
from app.repo.tenancy import PLATFORM, bind_tenant
from app.repo.webhooks import DeliveryRepository, WebhookRepository

NOTIFY_CHANNEL = "liaison_deliveries"


class Database:
    def __init__(self, engine: AsyncEngine, point_read_pool_size: int = 10) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        # On SQLite a writer's transaction is BEGIN IMMEDIATE, begun at its first statement (not before):
        # work that precedes it, like resolving a webhook URL, holds no lock.
        self.write_sessions = async_sessionmaker(
            engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )
        self.sqlite = is_sqlite(engine)
        self.point_reads = PointReads(engine, point_read_pool_size)

    def unit_of_work(self, organization_id: str | None, *, write: bool) -> SqlUnitOfWork:
        """`organization_id` None: a platform unit of work, which sees no organization's rows."""
        return SqlUnitOfWork(self, PLATFORM if organization_id is None else organization_id, write=write)

    def system_unit_of_work(self, *, write: bool = False) -> SqlUnitOfWork:
        """Unscoped: for the token endpoint, the worker and maintenance, never for a caller's request."""
        return SqlUnitOfWork(self, None, write=write)

    async def dispose(self) -> None:
        await self.point_reads.close()
        await self.engine.dispose()


class SqlUnitOfWork:
    session: AsyncSession

    def __init__(self, db: Database, tenant: str | None, *, write: bool) -> None:
        self.db = db
        self.tenant = tenant
        self.write = write
        self._staged: list[Event] = []

    async def __aenter__(self) -> SqlUnitOfWork:
        self.session = self.db.write_sessions() if self.write and self.db.sqlite else self.db.sessions()
        if self.tenant is not None:
            bind_tenant(self.session.sync_session, self.tenant)
        await self.begin()
        org = self.tenant or ""
        self.organizations = OrganizationRepository(self.session)
        self.api_clients = ApiClientRepository(self.session, org)
        self.credentials = CredentialStore(self.session)
        self.events = EventLog(self.session)
        self.idempotency = IdempotencyStore(self.session, org)
        self.units = UnitRepository(self.session, org)
        self.people = PersonRepository(self.session, org)
        self.memberships = MembershipRepository(self.session, org)
        self.webhooks = WebhookRepository(self.session, org)
        self.deliveries = DeliveryRepository(self.session, org)
        return self

    async def begin(self) -> None:
        """On PostgreSQL a reader runs in autocommit: no BEGIN and ROLLBACK round trips around its
        statements, each of which sees what was committed before it started. Writers begin at their first
        statement (BEGIN IMMEDIATE on SQLite, through the write sessions' engine option)."""
        if not self.write and not self.db.sqlite:
            await self.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self.session.in_transaction():
                await self.session.rollback()
        finally:
            self._staged.clear()
            await self.session.close()

    def record(self, event: Event) -> None:
        self._staged.append(event)

    async def commit(self) -> None:
        staged, self._staged = self._staged, []
        try:
            await self.events.write(staged)
            await self._fan_out(staged)
            await self.session.commit()
        except IntegrityError as exc:
            await self.session.rollback()
            raise Conflict("The change conflicts with another one made at the same time; try again.") from exc

    async def _fan_out(self, events: list[Event]) -> None:
        """Each event an enabled endpoint subscribes to becomes a delivery, in this same transaction; on
        PostgreSQL a NOTIFY (sent by the server only at commit) wakes the workers."""
        if not events or not self.tenant:
            return
        endpoints = await self.webhooks.enabled()
        if not endpoints:
            return
        deliveries = fan_out(events, endpoints, datetime.now(UTC))
        if deliveries:
            await self.deliveries.add_many(deliveries)
            if not self.db.sqlite:
                await self.session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})

    async def rollback(self) -> None:
        self._staged.clear()
        await self.session.rollback()
        await self.begin()
