"""The tables. Every table of an organization's data has `organization_id` first in its keys, so that
tenancy is enforced on every query (app/repo/tenancy.py) and the data can be sharded by organization."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
)
from sqlmodel import Column, Field, SQLModel

from app.repo.types import JsonType, UtcDateTime, organization_column, reference

metadata = SQLModel.metadata


class TenantScoped(SQLModel):
    """Base of every table that holds one organization's data."""

    organization_id: str = Field(sa_type=String(40), max_length=40)


class OrganizationRow(SQLModel, table=True):
    __tablename__ = "organizations"

    id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=64, unique=True)
    time_zone: str = Field(default="UTC", max_length=64)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


class ApiClientRow(TenantScoped, table=True):
    __tablename__ = "api_clients"
    __table_args__ = (Index("ix_api_clients_org_id", "organization_id", "id"),)

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    name: str = Field(max_length=200)
    scopes: list[str] = Field(sa_type=JsonType)
    secret_hash: str = Field(max_length=128)
    previous_secret_hash: str | None = Field(default=None, max_length=128, nullable=True)
    previous_secret_expires_at: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)
    external_refs: dict[str, Any] = Field(sa_type=JsonType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


class ExternalRefRow(TenantScoped, table=True):
    """The index that makes an external ref unique per organization, collection and system."""

    __tablename__ = "external_refs"
    __table_args__ = (
        PrimaryKeyConstraint("organization_id", "collection", "system", "external_id"),
        UniqueConstraint("organization_id", "collection", "object_id", "system", name="uq_external_refs_object"),
    )

    collection: str = Field(max_length=40)
    system: str = Field(max_length=64)
    external_id: str = Field(max_length=255)
    object_id: str = Field(max_length=40)


class EventRow(TenantScoped, table=True):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_org_id", "organization_id", "id"),
        Index("ix_events_org_type_id", "organization_id", "type", "id"),
    )

    id: str = Field(primary_key=True, max_length=40)
    type: str = Field(max_length=80)
    occurred_at: datetime = Field(sa_type=UtcDateTime)
    actor: dict[str, Any] = Field(sa_type=JsonType)
    data: dict[str, Any] = Field(sa_type=JsonType)


class IdempotencyKeyRow(TenantScoped, table=True):
    """The first answer to a POST with an Idempotency-Key, replayed for 24 h to the same client."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (PrimaryKeyConstraint("organization_id", "client_id", "key"),)

    client_id: str = Field(max_length=200)
    key: str = Field(max_length=255)
    fingerprint: str = Field(max_length=64)
    status_code: int
    body: Any = Field(default=None, sa_type=JsonType, nullable=True)
    headers: dict[str, Any] = Field(sa_type=JsonType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime, index=True)


class PersonRow(TenantScoped, table=True):
    __tablename__ = "people"
    __table_args__ = (
        Index("ix_people_org_id", "organization_id", "id"),
        Index("ix_people_org_manager", "organization_id", "manager_id"),
        UniqueConstraint("organization_id", "email_key", name="uq_people_org_email"),
        UniqueConstraint("organization_id", "user_name_key", name="uq_people_org_user_name"),
        UniqueConstraint("organization_id", "sign_in_key", name="uq_people_org_sign_in"),
    )

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    given_name: str = Field(max_length=200)
    family_name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320)
    email_key: str | None = Field(default=None, max_length=320)
    user_name: str | None = Field(default=None, max_length=255)
    user_name_key: str | None = Field(default=None, max_length=255)
    # The name a person signs in by: their user name, else their email (lower-cased); one person's only.
    sign_in_key: str | None = Field(default=None, max_length=320)
    title: str | None = Field(default=None, max_length=200)
    department: str | None = Field(default=None, max_length=200)
    manager_id: str | None = reference("people", optional=True)
    status: str = Field(max_length=20)
    scim_ended: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    external_refs: dict[str, Any] = Field(sa_type=JsonType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


class UnitRow(TenantScoped, table=True):
    __tablename__ = "units"
    __table_args__ = (
        Index("ix_units_org_id", "organization_id", "id"),
        Index("ix_units_org_parent", "organization_id", "parent_id"),
    )

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    parent_id: str | None = reference("units", optional=True)
    lead_person_id: str | None = reference("people", optional=True)
    external_refs: dict[str, Any] = Field(sa_type=JsonType)
    links: list[dict[str, Any]] = Field(default_factory=list, sa_type=JsonType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


class MembershipRow(TenantScoped, table=True):
    __tablename__ = "memberships"
    __table_args__ = (
        Index("ix_memberships_org_id", "organization_id", "id"),
        Index("ix_memberships_org_person", "organization_id", "person_id"),
        Index("ix_memberships_org_unit", "organization_id", "unit_id"),
    )

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    person_id: str = reference("people")
    unit_id: str = reference("units", cascade=True)
    title: str | None = Field(default=None, max_length=200)
    kind: str = Field(max_length=20)
    primary: bool = Field(sa_column=Column("is_primary", Boolean, nullable=False))
    starts_on: date | None = Field(default=None, sa_type=Date)
    ends_on: date | None = Field(default=None, sa_type=Date)
    external_refs: dict[str, Any] = Field(sa_type=JsonType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


class HistoryRow(TenantScoped, table=True):
    """Every version of every org-chart object with its validity interval [valid_from, valid_to).
    Reads of the present never touch it; reads of the past (`as_of`) read only it."""

    __tablename__ = "history"
    __table_args__ = (
        Index("ix_history_org_collection_from", "organization_id", "collection", "valid_from"),
        Index("ix_history_org_object_open", "organization_id", "collection", "object_id", "valid_to"),
    )

    seq: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    )
    collection: str = Field(max_length=40)
    object_id: str = Field(max_length=40)
    valid_from: datetime = Field(sa_type=UtcDateTime)
    valid_to: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)
    data: dict[str, Any] = Field(sa_type=JsonType)


class WebhookEndpointRow(TenantScoped, table=True):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_org_id", "organization_id", "id"),)

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    url: str = Field(max_length=2048)
    event_types: list[str] = Field(sa_type=JsonType)
    description: str | None = Field(default=None, max_length=500)
    enabled: bool = True
    secret: str = Field(max_length=100)
    previous_secret: str | None = Field(default=None, max_length=100)
    previous_secret_expires_at: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)
    failing_since: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)
    disabled_reason: str | None = Field(default=None, max_length=200)
    format: str = Field(default="standard", max_length=20)
    locale: str = Field(default="en", max_length=10)
    url_is_secret: bool = False
    external_refs: dict[str, Any] = Field(sa_type=JsonType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


class CalendarFeedRow(TenantScoped, table=True):
    """A calendar feed; its URL's token is the id signed, never stored."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (Index("ix_calendar_feeds_org_id", "organization_id", "id"),)

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    owner_type: str = Field(max_length=20)
    owner_id: str = Field(max_length=40)
    areas: list[str] = Field(sa_type=JsonType)
    external_refs: dict[str, Any] = Field(sa_type=JsonType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


class DeliveryRow(TenantScoped, table=True):
    """The outbox: written in the transaction of the event it carries, claimed by workers."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_org_endpoint", "organization_id", "endpoint_id", "id"),
    )

    id: str = Field(primary_key=True, max_length=40)
    endpoint_id: str = reference("webhook_endpoints", cascade=True)
    message_id: str = Field(max_length=40)
    event_type: str = Field(max_length=80)
    payload: dict[str, Any] = Field(sa_type=JsonType)
    status: str = Field(max_length=20)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)
    locked_until: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, max_length=500)
    succeeded_at: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


class AttemptRow(TenantScoped, table=True):
    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery", "delivery_id"),)

    id: str = Field(primary_key=True, max_length=40)
    delivery_id: str = reference("webhook_deliveries", cascade=True)
    attempted_at: datetime = Field(sa_type=UtcDateTime)
    status_code: int | None = None
    latency_ms: int = 0
    error: str | None = Field(default=None, max_length=500)


class CredentialRevocationRow(SQLModel, table=True):
    """A change that may invalidate tokens already issued to an API client (deleted, scopes changed).
    Every server process reads the new rows a few times a second (app/auth/standing.py): a platform
    table, read across organizations by design."""

    __tablename__ = "credential_revocations"

    seq: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    )
    client_id: str = Field(max_length=40)
    revoked_at: datetime = Field(sa_type=UtcDateTime, index=True)


# The work the departments share (objectives, handoffs) and the timed jobs: their own module, imported here
# so that every table is in `metadata` and every tenant table is known to the tenancy guard whatever is
# imported first.
from app.repo.feedback_tables import (  # noqa: E402
    AnonymityKeyRow,
    AnonymityMarkRow,
    FeedbackRequestRow,
    FeedbackRow,
    HeldEventRow,
    SurveyAudienceRow,
    SurveyResponseRow,
    SurveyRow,
)
from app.repo.role_tables import EventSubjectRow, RaciEntryRow, RoleAssignmentRow, RoleRow  # noqa: E402
from app.repo.work_tables import (  # noqa: E402
    CheckInRow,
    HandoffCommentRow,
    HandoffOfferRow,
    HandoffPolicyRow,
    HandoffRow,
    KeyResultRow,
    ObjectiveRow,
    ScheduledJobRow,
)

__all__ = [
    "AnonymityKeyRow",
    "AnonymityMarkRow",
    "CheckInRow",
    "EventSubjectRow",
    "FeedbackRequestRow",
    "FeedbackRow",
    "HandoffCommentRow",
    "HandoffOfferRow",
    "HandoffPolicyRow",
    "HandoffRow",
    "HeldEventRow",
    "KeyResultRow",
    "ObjectiveRow",
    "RaciEntryRow",
    "RoleAssignmentRow",
    "RoleRow",
    "ScheduledJobRow",
    "SurveyAudienceRow",
    "SurveyResponseRow",
    "SurveyRow",
]
