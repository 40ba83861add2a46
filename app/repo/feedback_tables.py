"""The tables of feedback, feedback requests, surveys (their audience and responses), the keys and marks
of anonymity, and the events held until their release. An anonymous item's row has no author column
filled, nothing that leads back (app/domain/feedback/anonymity.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index, Integer, LargeBinary, PrimaryKeyConstraint
from sqlmodel import Column, Field

from app.repo.tables import TenantScoped
from app.repo.types import JsonType, UtcDateTime, organization_column, reference


class FeedbackRow(TenantScoped, table=True):
    __tablename__ = "feedback"
    __table_args__ = (
        Index("ix_feedback_org_id", "organization_id", "id"),
        Index("ix_feedback_org_recipient_person", "organization_id", "recipient_person_id"),
        Index("ix_feedback_org_recipient_unit", "organization_id", "recipient_unit_id"),
        Index("ix_feedback_org_request", "organization_id", "request_id"),
    )

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    recipient_person_id: str | None = reference("people", optional=True)
    recipient_unit_id: str | None = reference("units", optional=True)
    subject_type: str | None = Field(default=None, max_length=20)
    subject_id: str | None = Field(default=None, max_length=40)
    kind: str = Field(max_length=20)
    body: str = Field(max_length=10_000)
    visibility: str = Field(max_length=20)
    anonymous: bool
    request_id: str | None = Field(default=None, max_length=40)
    created_on: date = Field(sa_type=Date)
    author_person_id: str | None = Field(default=None, max_length=40)
    author: dict[str, Any] = Field(default_factory=dict, sa_type=JsonType)
    external_refs: dict[str, Any] = Field(sa_type=JsonType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


class FeedbackRequestRow(TenantScoped, table=True):
    __tablename__ = "feedback_requests"
    __table_args__ = (Index("ix_feedback_requests_org_id", "organization_id", "id"),)

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    requester_person_id: str = reference("people")
    respondent_person_ids: list[str] = Field(default_factory=list, sa_type=JsonType)
    subject_type: str | None = Field(default=None, max_length=20)
    subject_id: str | None = Field(default=None, max_length=40)
    message: str | None = Field(default=None, max_length=10_000)
    due_at: datetime = Field(sa_type=UtcDateTime)
    allow_anonymous: bool
    answers: int = 0
    answered_person_ids: list[str] = Field(default_factory=list, sa_type=JsonType)
    status: str = Field(max_length=20)
    external_refs: dict[str, Any] = Field(sa_type=JsonType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


class SurveyRow(TenantScoped, table=True):
    __tablename__ = "surveys"
    __table_args__ = (Index("ix_surveys_org_id", "organization_id", "id"),)

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    title: str = Field(max_length=200)
    questions: list[dict[str, Any]] = Field(default_factory=list, sa_type=JsonType)
    audience_unit_ids: list[str] = Field(default_factory=list, sa_type=JsonType)
    about_unit_id: str | None = reference("units", optional=True)
    anonymous: bool
    opens_at: datetime = Field(sa_type=UtcDateTime)
    closes_at: datetime = Field(sa_type=UtcDateTime)
    min_group_size: int
    min_text_group_size: int
    status: str = Field(max_length=20)
    audience_size: int = 0
    responses: int = 0
    external_refs: dict[str, Any] = Field(sa_type=JsonType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


class SurveyAudienceRow(TenantScoped, table=True):
    """The people a survey asked, resolved when it opened, each with their group (an audience unit)."""

    __tablename__ = "survey_audience"
    __table_args__ = (PrimaryKeyConstraint("organization_id", "survey_id", "person_id"),)

    organization_id: str = organization_column()
    survey_id: str = reference("surveys", cascade=True)
    person_id: str = Field(max_length=40)
    group_unit_id: str = Field(max_length=40)


class SurveyResponseRow(TenantScoped, table=True):
    __tablename__ = "survey_responses"
    __table_args__ = (Index("ix_survey_responses_org_survey", "organization_id", "survey_id", "id"),)

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    survey_id: str = reference("surveys", cascade=True)
    group_unit_id: str = Field(max_length=40)
    answers: dict[str, Any] = Field(default_factory=dict, sa_type=JsonType)
    created_on: date = Field(sa_type=Date)
    respondent_person_id: str | None = Field(default=None, max_length=40)
    created_at: datetime = Field(sa_type=UtcDateTime)
    updated_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


class AnonymityKeyRow(TenantScoped, table=True):
    """A key of a survey, a request or a day: deleted with its marks when the scope ends."""

    __tablename__ = "anonymity_keys"
    __table_args__ = (PrimaryKeyConstraint("organization_id", "scope"),)

    organization_id: str = organization_column()
    scope: str = Field(max_length=64)
    secret: bytes = Field(sa_column=Column(LargeBinary(32), nullable=False))
    expires_at: datetime = Field(sa_type=UtcDateTime)


class AnonymityMarkRow(TenantScoped, table=True):
    """A keyed hash of a person under a scope's key, and how many times it was made."""

    __tablename__ = "anonymity_marks"
    __table_args__ = (PrimaryKeyConstraint("organization_id", "scope", "mark"),)

    organization_id: str = organization_column()
    scope: str = Field(max_length=64)
    mark: str = Field(max_length=64)
    count: int = Field(sa_column=Column(Integer, nullable=False))


class HeldEventRow(TenantScoped, table=True):
    """An anonymous item's event, kept out of the log until `release_after`; no actor is kept."""

    __tablename__ = "held_events"
    __table_args__ = (Index("ix_held_events_org_release", "organization_id", "release_after"),)

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = organization_column()
    release_after: datetime = Field(sa_type=UtcDateTime)
    type: str = Field(max_length=80)
    data: dict[str, Any] = Field(sa_type=JsonType)
