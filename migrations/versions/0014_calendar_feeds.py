"""Calendar feeds (a unit's or a person's dates as iCalendar, at a secret URL).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from app.repo.types import JsonType, UtcDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "organization_id", sa.String(40), sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("owner_type", sa.String(20), nullable=False),
        sa.Column("owner_id", sa.String(40), nullable=False),
        sa.Column("areas", JsonType, nullable=False),
        sa.Column("external_refs", JsonType, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_calendar_feeds_org_id", "calendar_feeds", ["organization_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_calendar_feeds_org_id", table_name="calendar_feeds")
    op.drop_table("calendar_feeds")
