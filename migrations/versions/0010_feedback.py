"""Feedback, feedback requests, surveys with their audience and responses, the keys and marks of anonymity,
and the events held until their release.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from app.repo.types import JsonType, UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _org() -> sa.Column[Any]:
    return sa.Column(
        "organization_id", sa.String(40), sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )


def _bookkeeping(refs: bool = True) -> list[sa.Column[Any]]:
    return [
        *([sa.Column("external_refs", JsonType, nullable=False)] if refs else []),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.String(40), primary_key=True),
        _org(),
        sa.Column("recipient_person_id", sa.String(40), sa.ForeignKey("people.id"), nullable=True),
        sa.Column("recipient_unit_id", sa.String(40), sa.ForeignKey("units.id"), nullable=True),
        sa.Column("subject_type", sa.String(20), nullable=True),
        sa.Column("subject_id", sa.String(40), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("body", sa.String(10_000), nullable=False),
        sa.Column("visibility", sa.String(20), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("request_id", sa.String(40), nullable=True),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("author_person_id", sa.String(40), nullable=True),
        sa.Column("author", JsonType, nullable=False),
        *_bookkeeping(),
    )
    op.create_index("ix_feedback_org_id", "feedback", ["organization_id", "id"])
    op.create_index("ix_feedback_org_recipient_person", "feedback", ["organization_id", "recipient_person_id"])
    op.create_index("ix_feedback_org_recipient_unit", "feedback", ["organization_id", "recipient_unit_id"])
    op.create_index("ix_feedback_org_request", "feedback", ["organization_id", "request_id"])
    op.create_table(
        "feedback_requests",
        sa.Column("id", sa.String(40), primary_key=True),
        _org(),
        sa.Column("requester_person_id", sa.String(40), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("respondent_person_ids", JsonType, nullable=False),
        sa.Column("subject_type", sa.String(20), nullable=True),
        sa.Column("subject_id", sa.String(40), nullable=True),
        sa.Column("message", sa.String(10_000), nullable=True),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("allow_anonymous", sa.Boolean(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("answered_person_ids", JsonType, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        *_bookkeeping(),
    )
    op.create_index("ix_feedback_requests_org_id", "feedback_requests", ["organization_id", "id"])
    op.create_table(
        "surveys",
        sa.Column("id", sa.String(40), primary_key=True),
        _org(),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("questions", JsonType, nullable=False),
        sa.Column("audience_unit_ids", JsonType, nullable=False),
        sa.Column("about_unit_id", sa.String(40), sa.ForeignKey("units.id"), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("opens_at", UtcDateTime(), nullable=False),
        sa.Column("closes_at", UtcDateTime(), nullable=False),
        sa.Column("min_group_size", sa.Integer(), nullable=False),
        sa.Column("min_text_group_size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("audience_size", sa.Integer(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        *_bookkeeping(),
    )
    op.create_index("ix_surveys_org_id", "surveys", ["organization_id", "id"])
    op.create_table(
        "survey_audience",
        _org(),
        sa.Column("survey_id", sa.String(40), sa.ForeignKey("surveys.id", ondelete="CASCADE"), nullable=False),
        sa.Column("person_id", sa.String(40), nullable=False),
        sa.Column("group_unit_id", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", "survey_id", "person_id"),
    )
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.String(40), primary_key=True),
        _org(),
        sa.Column("survey_id", sa.String(40), sa.ForeignKey("surveys.id", ondelete="CASCADE"), nullable=False),
        sa.Column("group_unit_id", sa.String(40), nullable=False),
        sa.Column("answers", JsonType, nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("respondent_person_id", sa.String(40), nullable=True),
        *_bookkeeping(refs=False),
    )
    op.create_index("ix_survey_responses_org_survey", "survey_responses", ["organization_id", "survey_id", "id"])
    op.create_table(
        "anonymity_keys",
        _org(),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("secret", sa.LargeBinary(32), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", "scope"),
    )
    op.create_table(
        "anonymity_marks",
        _org(),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("mark", sa.String(64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", "scope", "mark"),
    )
    op.create_table(
        "held_events",
        sa.Column("id", sa.String(40), primary_key=True),
        _org(),
        sa.Column("release_after", UtcDateTime(), nullable=False),
        sa.Column("type", sa.String(80), nullable=False),
        sa.Column("data", JsonType, nullable=False),
    )
    op.create_index("ix_held_events_org_release", "held_events", ["organization_id", "release_after"])


def downgrade() -> None:
    for name in (
        "held_events",
        "anonymity_marks",
        "anonymity_keys",
        "survey_responses",
        "survey_audience",
        "surveys",
        "feedback_requests",
        "feedback",
    ):
        op.drop_table(name)
