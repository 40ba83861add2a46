"""The tables of the work departments share (objectives, key results, check-ins, handoffs, their policies,
comments and offers) and of timed jobs. Like every table of an organization's data, each derives from
`TenantScoped` (app/repo/tables.py imports this module, so that they are all known at once)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index, UniqueConstraint
from sqlmodel import Column, Field

from app.repo.tables import TenantScoped
from app.repo.types import JsonType, Real, UtcDateTime, organization_column, reference


class ObjectiveRow(TenantScoped, table=True):
    __tablename__ = "objectives"
    __table_args__ = (
        Index("ix_objectives_org_id", "organization_id", "id"),
        Index("ix_objectives_org_parent", "organization_id", "parent_id"),
        Index("ix_objectives_org_owner_unit", "organization_id", "owner_unit_id"),
    )

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    title: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    period_start: date = Field(sa_type=Date)
    period_end: date = Field(sa_type=Date)
    owner_unit_id: str = reference("units")
    owner_person_id: str | None = reference("people", optional=True)
    parent_id: str | None = reference("objectives", optional=True)
    alignment_weight: float = Field(sa_column=Column(Real, nullable=False))
    contributor_unit_ids: list[str] = Field(default_factory=list, sa_type=JsonType)
    progress_rule: str = Field(max_length=20)
    status: str = Field(max_length=20)
    progress: float = Field(sa_column=Column(Real, nullable=False))
    health: str = Field(max_length=20)
    external_refs: dict[str, Any] = Field(sa_type=JsonType)
    links: list[dict[str, Any]] = Field(default_factory=list, sa_type=JsonType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


class KeyResultRow(TenantScoped, table=True):
    __tablename__ = "key_results"
    __table_args__ = (
        Index("ix_key_results_org_id", "organization_id", "id"),
        Index("ix_key_results_org_objective", "organization_id", "objective_id"),
    )

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    objective_id: str = reference("objectives")
    title: str = Field(max_length=200)
    unit: str | None = Field(default=None, max_length=32)
    start_value: float = Field(sa_column=Column(Real, nullable=False))
    target_value: float = Field(sa_column=Column(Real, nullable=False))
    current_value: float = Field(sa_column=Column(Real, nullable=False))
    weight: float = Field(sa_column=Column(Real, nullable=False))
    owner_person_id: str | None = reference("people", optional=True)
    check_in_cadence: str = Field(max_length=20)
    progress: float = Field(sa_column=Column(Real, nullable=False))
    confidence: float | None = Field(default=None, sa_column=Column(Real, nullable=True))
    last_check_in_at: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)
    external_refs: dict[str, Any] = Field(sa_type=JsonType)
    links: list[dict[str, Any]] = Field(default_factory=list, sa_type=JsonType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


class CheckInRow(TenantScoped, table=True):
    """Never updated nor deleted: a record."""

    __tablename__ = "check_ins"
    __table_args__ = (
        Index("ix_check_ins_org_id", "organization_id", "id"),
        Index("ix_check_ins_org_key_result", "organization_id", "key_result_id", "id"),
        Index("ix_check_ins_org_objective", "organization_id", "objective_id", "id"),
    )

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    key_result_id: str = reference("key_results")
    objective_id: str = reference("objectives")
    value: float = Field(sa_column=Column(Real, nullable=False))
    confidence: float | None = Field(default=None, sa_column=Column(Real, nullable=True))
    note: str | None = Field(default=None, max_length=10_000)
    author_person_id: str | None = Field(default=None, max_length=40)
    author: dict[str, Any] = Field(sa_type=JsonType)
    external_refs: dict[str, Any] = Field(sa_type=JsonType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


class ScheduledJobRow(TenantScoped, table=True):
    """Timed jobs (app/domain/jobs.py): one per (organization, kind, subject); claimed by workers."""

    __tablename__ = "scheduled_jobs"
    __table_args__ = (
        UniqueConstraint("organization_id", "kind", "subject_id", name="uq_scheduled_jobs_subject"),
        Index("ix_scheduled_jobs_due", "due_at"),
    )

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    kind: str = Field(max_length=60)
    subject_id: str = Field(max_length=40)
    due_at: datetime = Field(sa_type=UtcDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)
    version: int = 1


class HandoffRow(TenantScoped, table=True):
    __tablename__ = "handoffs"
    __table_args__ = (
        Index("ix_handoffs_org_id", "organization_id", "id"),
        Index("ix_handoffs_org_from_unit", "organization_id", "from_unit_id"),
        Index("ix_handoffs_org_to_unit", "organization_id", "to_unit_id"),
    )

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    title: str = Field(max_length=200)
    summary: str | None = Field(default=None, max_length=10_000)
    from_unit_id: str = reference("units")
    from_person_id: str | None = reference("people", optional=True)
    to_unit_id: str = reference("units")
    to_person_id: str | None = reference("people", optional=True)
    accept_by: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)
    due_at: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)
    priority: str = Field(max_length=20)
    payload: dict[str, Any] = Field(sa_type=JsonType)
    checklist: list[dict[str, Any]] = Field(default_factory=list, sa_type=JsonType)
    objective_id: str | None = reference("objectives", optional=True)
    status: str = Field(max_length=20)
    overdue: bool = False
    sla: dict[str, Any] = Field(sa_type=JsonType)
    history: list[dict[str, Any]] = Field(default_factory=list, sa_type=JsonType)
    external_refs: dict[str, Any] = Field(sa_type=JsonType)
    links: list[dict[str, Any]] = Field(default_factory=list, sa_type=JsonType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


class HandoffPolicyRow(TenantScoped, table=True):
    __tablename__ = "handoff_policies"
    __table_args__ = (Index("ix_handoff_policies_org_id", "organization_id", "id"),)

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    from_unit_id: str | None = reference("units", optional=True)
    to_unit_id: str | None = reference("units", optional=True)
    accept_within: str | None = Field(default=None, max_length=40)
    complete_within: str | None = Field(default=None, max_length=40)
    external_refs: dict[str, Any] = Field(sa_type=JsonType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


class HandoffCommentRow(TenantScoped, table=True):
    __tablename__ = "handoff_comments"
    __table_args__ = (Index("ix_handoff_comments_org_handoff", "organization_id", "handoff_id", "id"),)

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    handoff_id: str = reference("handoffs")
    body: str = Field(max_length=10_000)
    author_person_id: str | None = Field(default=None, max_length=40)
    author: dict[str, Any] = Field(sa_type=JsonType)
    external_refs: dict[str, Any] = Field(sa_type=JsonType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


class HandoffOfferRow(TenantScoped, table=True):
    """Each time a handoff is offered to a unit (its send, each forward) and what that unit did with it: the
    rows the handoff analytics aggregate, written with the actions."""

    __tablename__ = "handoff_offers"
    __table_args__ = (
        Index("ix_handoff_offers_org_offered", "organization_id", "offered_at"),
        Index("ix_handoff_offers_org_handoff", "organization_id", "handoff_id", "id"),
    )

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    handoff_id: str = reference("handoffs")
    from_unit_id: str = Field(max_length=40)
    to_unit_id: str = Field(max_length=40)
    offered_at: datetime = Field(sa_type=UtcDateTime)
    outcome: str = Field(max_length=20)  # pending, accepted, declined, forwarded, cancelled
    decided_at: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)
    seconds_to_decide: float | None = Field(default=None, sa_column=Column(Real, nullable=True))
    decline_reason: str | None = Field(default=None, max_length=20)
    overdue: bool = False
