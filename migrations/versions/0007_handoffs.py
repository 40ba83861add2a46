"""Handoffs between departments, their policies and comments.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from app.repo.types import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _org() -> sa.Column:
    return sa.Column(
        "organization_id", sa.String(40), sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )


def _bookkeeping() -> list[sa.Column]:
    return [
        sa.Column("external_refs", JSON, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.String(40), primary_key=True),
        _org(),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("summary", sa.String(10_000), nullable=True),
        sa.Column("from_unit_id", sa.String(40), sa.ForeignKey("units.id"), nullable=False),
        sa.Column("from_person_id", sa.String(40), sa.ForeignKey("people.id"), nullable=True),
        sa.Column("to_unit_id", sa.String(40), sa.ForeignKey("units.id"), nullable=False),
        sa.Column("to_person_id", sa.String(40), sa.ForeignKey("people.id"), nullable=True),
        sa.Column("accept_by", UtcDateTime(), nullable=True),
        sa.Column("due_at", UtcDateTime(), nullable=True),
        sa.Column("priority", sa.String(20), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("checklist", JSON, nullable=False),
        sa.Column("objective_id", sa.String(40), sa.ForeignKey("objectives.id"), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("sla", JSON, nullable=False),
        sa.Column("history", JSON, nullable=False),
        sa.Column("links", JSON, nullable=False),
        *_bookkeeping(),
    )
    op.create_index("ix_handoffs_org_id", "handoffs", ["organization_id", "id"])
    op.create_index("ix_handoffs_org_from_unit", "handoffs", ["organization_id", "from_unit_id"])
    op.create_index("ix_handoffs_org_to_unit", "handoffs", ["organization_id", "to_unit_id"])
    op.create_table(
        "handoff_policies",
        sa.Column("id", sa.String(40), primary_key=True),
        _org(),
        sa.Column("from_unit_id", sa.String(40), sa.ForeignKey("units.id"), nullable=True),
        sa.Column("to_unit_id", sa.String(40), sa.ForeignKey("units.id"), nullable=True),
        sa.Column("accept_within", sa.String(40), nullable=True),
        sa.Column("complete_within", sa.String(40), nullable=True),
        *_bookkeeping(),
    )
    op.create_index("ix_handoff_policies_org_id", "handoff_policies", ["organization_id", "id"])
    op.create_table(
        "handoff_comments",
        sa.Column("id", sa.String(40), primary_key=True),
        _org(),
        sa.Column("handoff_id", sa.String(40), sa.ForeignKey("handoffs.id"), nullable=False),
        sa.Column("body", sa.String(10_000), nullable=False),
        sa.Column("author_person_id", sa.String(40), nullable=True),
        sa.Column("author", JSON, nullable=False),
        *_bookkeeping(),
    )
    op.create_index("ix_handoff_comments_org_handoff", "handoff_comments", ["organization_id", "handoff_id", "id"])


def downgrade() -> None:
    op.drop_table("handoff_comments")
    op.drop_table("handoff_policies")
    op.drop_table("handoffs")
