"""Shared objectives: objectives, key results, check-ins; timed jobs; the organizations' time zone.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from app.repo.types import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _org() -> sa.Column:
    return sa.Column(
        "organization_id", sa.String(40), sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )


def _bookkeeping() -> list[sa.Column]:
    return [
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(sa.Column("time_zone", sa.String(64), nullable=False, server_default="UTC"))
    op.create_table(
        "objectives",
        sa.Column("id", sa.String(40), primary_key=True),
        _org(),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.String(10_000), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("owner_unit_id", sa.String(40), sa.ForeignKey("units.id"), nullable=False),
        sa.Column("owner_person_id", sa.String(40), sa.ForeignKey("people.id"), nullable=True),
        sa.Column("parent_id", sa.String(40), sa.ForeignKey("objectives.id"), nullable=True),
        sa.Column("alignment_weight", sa.Float(), nullable=False),
        sa.Column("contributor_unit_ids", JSON, nullable=False),
        sa.Column("progress_rule", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("health", sa.String(20), nullable=False),
        sa.Column("external_refs", JSON, nullable=False),
        sa.Column("links", JSON, nullable=False),
        *_bookkeeping(),
    )
    op.create_index("ix_objectives_org_id", "objectives", ["organization_id", "id"])
    op.create_index("ix_objectives_org_parent", "objectives", ["organization_id", "parent_id"])
    op.create_index("ix_objectives_org_owner_unit", "objectives", ["organization_id", "owner_unit_id"])
    op.create_table(
        "key_results",
        sa.Column("id", sa.String(40), primary_key=True),
        _org(),
        sa.Column("objective_id", sa.String(40), sa.ForeignKey("objectives.id"), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(32), nullable=True),
        sa.Column("start_value", sa.Float(), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=False),
        sa.Column("current_value", sa.Float(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("owner_person_id", sa.String(40), sa.ForeignKey("people.id"), nullable=True),
        sa.Column("check_in_cadence", sa.String(20), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("last_check_in_at", UtcDateTime(), nullable=True),
        sa.Column("external_refs", JSON, nullable=False),
        sa.Column("links", JSON, nullable=False),
        *_bookkeeping(),
    )
    op.create_index("ix_key_results_org_id", "key_results", ["organization_id", "id"])
    op.create_index("ix_key_results_org_objective", "key_results", ["organization_id", "objective_id"])
    op.create_table(
        "check_ins",
        sa.Column("id", sa.String(40), primary_key=True),
        _org(),
        sa.Column("key_result_id", sa.String(40), sa.ForeignKey("key_results.id"), nullable=False),
        sa.Column("objective_id", sa.String(40), sa.ForeignKey("objectives.id"), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("note", sa.String(10_000), nullable=True),
        sa.Column("author_person_id", sa.String(40), nullable=True),
        sa.Column("author", JSON, nullable=False),
        sa.Column("external_refs", JSON, nullable=False),
        *_bookkeeping(),
    )
    op.create_index("ix_check_ins_org_id", "check_ins", ["organization_id", "id"])
    op.create_index("ix_check_ins_org_key_result", "check_ins", ["organization_id", "key_result_id", "id"])
    op.create_index("ix_check_ins_org_objective", "check_ins", ["organization_id", "objective_id", "id"])
    op.create_table(
        "scheduled_jobs",
        sa.Column("id", sa.String(40), primary_key=True),
        _org(),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("locked_until", UtcDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("organization_id", "kind", "subject_id", name="uq_scheduled_jobs_subject"),
    )
    op.create_index("ix_scheduled_jobs_due", "scheduled_jobs", ["due_at"])


def downgrade() -> None:
    op.drop_table("scheduled_jobs")
    op.drop_table("check_ins")
    op.drop_table("key_results")
    op.drop_table("objectives")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("time_zone")
