"""The tables of roles, role assignments and RACI entries, and the index of the subjects each event is
about (the people's feeds read it). Like every table of an organization's data, each derives from
`TenantScoped` (app/repo/tables.py imports this module, so that they are all known at once)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index, PrimaryKeyConstraint, UniqueConstraint, text
from sqlmodel import Field

from app.repo.tables import TenantScoped
from app.repo.types import JsonType, UtcDateTime, organization_column, reference


class RoleRow(TenantScoped, table=True):
    __tablename__ = "roles"
    __table_args__ = (
        Index("ix_roles_org_id", "organization_id", "id"),
        Index("ix_roles_org_unit", "organization_id", "unit_id"),
    )

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    name: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    responsibilities: list[str] = Field(default_factory=list, sa_type=JsonType)
    unit_id: str | None = reference("units", optional=True)
    external_refs: dict[str, Any] = Field(sa_type=JsonType)
    links: list[dict[str, Any]] = Field(default_factory=list, sa_type=JsonType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


class RoleAssignmentRow(TenantScoped, table=True):
    __tablename__ = "role_assignments"
    __table_args__ = (
        Index("ix_role_assignments_org_id", "organization_id", "id"),
        Index("ix_role_assignments_org_role", "organization_id", "role_id"),
        Index("ix_role_assignments_org_person", "organization_id", "person_id"),
    )

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    role_id: str = reference("roles")
    person_id: str = reference("people")
    unit_id: str | None = reference("units", optional=True)
    starts_on: date | None = Field(default=None, sa_type=Date, nullable=True)
    ends_on: date | None = Field(default=None, sa_type=Date, nullable=True)
    external_refs: dict[str, Any] = Field(sa_type=JsonType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


ONE_ACCOUNTABLE = "letter = 'A'"


class RaciEntryRow(TenantScoped, table=True):
    """Subjects and parties are of several kinds (no foreign key can name them): the services check them, and
    delete an object's entries with it. At most one A per subject, and a party holds a letter on a subject
    once: unique indexes, so that two racing requests cannot both pass."""

    __tablename__ = "raci_entries"
    __table_args__ = (
        Index("ix_raci_entries_org_id", "organization_id", "id"),
        Index("ix_raci_entries_org_party", "organization_id", "party_id"),
        UniqueConstraint("organization_id", "subject_id", "party_id", "letter", name="uq_raci_entries_letter"),
        Index(
            "uq_raci_entries_one_accountable",
            "organization_id",
            "subject_id",
            unique=True,
            postgresql_where=text(ONE_ACCOUNTABLE),
            sqlite_where=text(ONE_ACCOUNTABLE),
        ),
    )

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    subject_type: str = Field(max_length=20)
    subject_id: str = Field(max_length=40)
    party_type: str = Field(max_length=20)
    party_id: str = Field(max_length=40)
    letter: str = Field(max_length=1)
    inherit: str = Field(max_length=10)
    external_refs: dict[str, Any] = Field(sa_type=JsonType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


class EventSubjectRow(TenantScoped, table=True):
    """Which subjects of RACI each event is about (app/domain/events.py, `subjects_of`), written with it."""

    __tablename__ = "event_subjects"
    __table_args__ = (PrimaryKeyConstraint("organization_id", "subject_id", "event_id"),)

    organization_id: str = organization_column()
    subject_id: str = Field(max_length=40)
    event_id: str = Field(max_length=40)
