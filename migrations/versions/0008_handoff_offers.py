"""Handoff offers: each send and forward of a handoff to a unit, and what that unit did with it (the rows
the handoff analytics aggregate).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from app.repo.types import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoff_offers",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "organization_id", sa.String(40), sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("handoff_id", sa.String(40), sa.ForeignKey("handoffs.id"), nullable=False),
        sa.Column("from_unit_id", sa.String(40), nullable=False),
        sa.Column("to_unit_id", sa.String(40), nullable=False),
        sa.Column("offered_at", UtcDateTime(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.Column("seconds_to_decide", sa.Float(), nullable=True),
        sa.Column("decline_reason", sa.String(20), nullable=True),
        sa.Column("overdue", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_handoff_offers_org_offered", "handoff_offers", ["organization_id", "offered_at"])
    op.create_index("ix_handoff_offers_org_handoff", "handoff_offers", ["organization_id", "handoff_id", "id"])


def downgrade() -> None:
    op.drop_table("handoff_offers")
