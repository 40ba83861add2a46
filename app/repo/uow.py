"""The unit of work: one driver connection, one transaction for a writer, the repositories bound to one
organization (made when first used), and the events staged by the services, written to the events table
just before commit."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cached_property
from types import TracebackType

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.errors import Conflict
from app.domain.events import Event
from app.domain.principal import Principal
from app.domain.webhooks.service import fan_out
from app.repo.collaboration import Collaboration
from app.repo.engine import is_sqlite
from app.repo.feedback import (
    AnonymityStore,
    FeedbackRepository,
    FeedbackRequestRepository,
    SurveyRepository,
    SurveyResponses,
)
from app.repo.handoff_offers import HandoffOffers
from app.repo.handoffs import HandoffCommentRepository, HandoffPolicyRepository, HandoffRepository
from app.repo.idempotency import IdempotencyStore
from app.repo.jobs import JobClaims, JobQueue
from app.repo.objectives import CheckInRepository, KeyResultRepository, ObjectiveRepository
from app.repo.org_chart import MembershipRepository, PersonRepository, UnitRepository
from app.repo.outbox import Outbox
from app.repo.platform import CredentialStore, EventLog, OrganizationRepository, StandingStore
from app.repo.repositories import ApiClientRepository
from app.repo.roles import RaciRepository, RoleAssignmentRepository, RoleRepository
from app.repo.sql import Sql, StatementListener
from app.repo.tenancy import PLATFORM
from app.repo.webhooks import CalendarFeedRepository, DeliveryRepository, WebhookRepository

NOTIFY_CHANNEL = "liaison_deliveries"
NOTIFY = text("SELECT pg_notify('liaison_deliveries', '')")
BULK_ROWS = 500  # rows written in batches to one table, from which its statistics are refreshed at commit


class Database:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.pool = engine.sync_engine.pool
        self.dialect = engine.dialect
        self.sqlite = is_sqlite(engine)
        # Called with the text of every statement before it runs (tests count statements with it).
        self.statement_listeners: list[StatementListener] = []

    def unit_of_work(
        self, organization_id: str | None, *, write: bool, caller: Principal | None = None
    ) -> SqlUnitOfWork:
        """`organization_id` None: a platform unit of work, which sees no organization's rows. `caller`:
        the principal of the request it serves (routes read it from the unit of work)."""
        tenant = PLATFORM if organization_id is None else organization_id
        return SqlUnitOfWork(self, tenant, write=write, caller=caller)

    def system_unit_of_work(self, *, write: bool = False) -> SqlUnitOfWork:
        """Unscoped: for the token endpoint, the worker and maintenance, never for a caller's request."""
        return SqlUnitOfWork(self, None, write=write)

    async def dispose(self) -> None:
        await self.engine.dispose()


class SqlUnitOfWork:
    def __init__(self, db: Database, tenant: str | None, *, write: bool, caller: Principal | None = None) -> None:
        self.db = db
        self._caller = caller
        self.tenant = tenant
        self.write = write
        self._staged: list[Event] = []
        self.sql = Sql(db.pool, db.dialect, tenant, write=write, listeners=db.statement_listeners)

    async def __aenter__(self) -> SqlUnitOfWork:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._staged.clear()
        failed = exc_type is not None and not issubclass(exc_type, Exception)  # cancelled mid-statement
        try:
            if not failed:
                await self.sql.rollback()
        except BaseException:
            failed = True
            raise
        finally:
            await self.sql.release(failed=failed)

    @property
    def caller(self) -> Principal:
        """The principal this unit of work serves (a request's verified token)."""
        if self._caller is None:
            raise RuntimeError("this unit of work serves no caller (a system or platform unit of work)")
        return self._caller

    @property
    def _org(self) -> str:
        return self.tenant or ""

    # Repositories are made when first used: most requests need one or two of them.
    @cached_property
    def organizations(self) -> OrganizationRepository:
        return OrganizationRepository(self.sql)

    @cached_property
    def api_clients(self) -> ApiClientRepository:
        return ApiClientRepository(self.sql, self._org)

    @cached_property
    def credentials(self) -> CredentialStore:
        return CredentialStore(self.sql)

    @cached_property
    def outbox(self) -> Outbox:
        return Outbox(self.sql)

    @cached_property
    def standing(self) -> StandingStore:
        return StandingStore(self.sql)

    @cached_property
    def events(self) -> EventLog:
        return EventLog(self.sql)

    @cached_property
    def idempotency(self) -> IdempotencyStore:
        return IdempotencyStore(self.sql, self._org)

    @cached_property
    def units(self) -> UnitRepository:
        return UnitRepository(self.sql, self._org)

    @cached_property
    def people(self) -> PersonRepository:
        return PersonRepository(self.sql, self._org)

    @cached_property
    def memberships(self) -> MembershipRepository:
        return MembershipRepository(self.sql, self._org)

    @cached_property
    def objectives(self) -> ObjectiveRepository:
        return ObjectiveRepository(self.sql, self._org)

    @cached_property
    def key_results(self) -> KeyResultRepository:
        return KeyResultRepository(self.sql, self._org)

    @cached_property
    def check_ins(self) -> CheckInRepository:
        return CheckInRepository(self.sql, self._org)

    @cached_property
    def jobs(self) -> JobQueue:
        return JobQueue(self.sql, self._org)

    @cached_property
    def handoffs(self) -> HandoffRepository:
        return HandoffRepository(self.sql, self._org)

    @cached_property
    def handoff_policies(self) -> HandoffPolicyRepository:
        return HandoffPolicyRepository(self.sql, self._org)

    @cached_property
    def handoff_comments(self) -> HandoffCommentRepository:
        return HandoffCommentRepository(self.sql, self._org)

    @cached_property
    def handoff_offers(self) -> HandoffOffers:
        return HandoffOffers(self.sql)

    @cached_property
    def job_claims(self) -> JobClaims:
        """For the worker's system unit of work: the due jobs of every organization."""
        return JobClaims(self.sql)

    @cached_property
    def roles(self) -> RoleRepository:
        return RoleRepository(self.sql, self._org)

    @cached_property
    def role_assignments(self) -> RoleAssignmentRepository:
        return RoleAssignmentRepository(self.sql, self._org)

    @cached_property
    def raci(self) -> RaciRepository:
        return RaciRepository(self.sql, self._org)

    @cached_property
    def feedback(self) -> FeedbackRepository:
        return FeedbackRepository(self.sql, self._org)

    @cached_property
    def feedback_requests(self) -> FeedbackRequestRepository:
        return FeedbackRequestRepository(self.sql, self._org)

    @cached_property
    def surveys(self) -> SurveyRepository:
        return SurveyRepository(self.sql, self._org)

    @cached_property
    def survey_responses(self) -> SurveyResponses:
        return SurveyResponses(self.sql, self._org)

    @cached_property
    def anonymity(self) -> AnonymityStore:
        return AnonymityStore(self.sql, self._org)

    @cached_property
    def collaboration(self) -> Collaboration:
        return Collaboration(self.sql, self._org)

    @cached_property
    def calendar_feeds(self) -> CalendarFeedRepository:
        return CalendarFeedRepository(self.sql, self._org)

    @cached_property
    def webhooks(self) -> WebhookRepository:
        return WebhookRepository(self.sql, self._org)

    @cached_property
    def deliveries(self) -> DeliveryRepository:
        return DeliveryRepository(self.sql, self._org)

    def record(self, event: Event) -> None:
        self._staged.append(event)

    async def commit(self) -> None:
        staged, self._staged = self._staged, []
        held = [e for e in staged if e.release_after is not None]
        staged = [e for e in staged if e.release_after is None]
        try:
            await self.events.write(staged)
            await self.events.hold(held)
            await self._fan_out(staged)
            await self._analyze_bulk_writes()
            await self.sql.commit()
        except IntegrityError as exc:
            await self.sql.rollback()
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
                await self.sql.run(NOTIFY)

    async def rollback(self) -> None:
        """Undo what this unit of work did so far; it may go on (a new transaction begins at the next write)."""
        self._staged.clear()
        await self.sql.rollback()

    async def _analyze_bulk_writes(self) -> None:
        """After a bulk write (a sync of thousands of people, PostgreSQL): fresh statistics for the tables it
        filled, in the same transaction, so that the next statements are planned for the data as it is now,
        not as it was before the rows arrived (autovacuum would get there, minutes later)."""
        if self.db.sqlite:
            return
        tables = sorted({t for touched, n in self.sql.bulk_rows.items() if n >= BULK_ROWS for t in touched})
        for name in tables:
            await self.sql.run(text(f"ANALYZE {name}"))  # our own table names, never input
