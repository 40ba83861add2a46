"""The org chart: people, units, memberships, and the history of their versions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from app.repo.types import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def _common() -> list[sa.Column]:
    return [
        sa.Column("external_refs", JSON, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def _org() -> sa.Column:
    return sa.Column("organization_id", sa.String(40), sa.ForeignKey("organizations.id", ondelete="CASCADE"),
                     nullable=False)


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.String(40), primary_key=True),
        _org(),
        sa.Column("given_name", sa.String(200), nullable=False),
        sa.Column("family_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("email_key", sa.String(320), nullable=False),
        sa.Column("title", sa.String(200), nullable=True),
        sa.Column("manager_id", sa.String(40), sa.ForeignKey("people.id"), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        *_common(),
        sa.UniqueConstraint("organization_id", "email_key", name="uq_people_org_email"),
    )
    op.create_index("ix_people_org_id", "people", ["organization_id", "id"])
    op.create_index("ix_people_org_manager", "people", ["organization_id", "manager_id"])
    op.create_table(
        "units",
        sa.Column("id", sa.String(40), primary_key=True),
        _org(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("parent_id", sa.String(40), sa.ForeignKey("units.id"), nullable=True),
        sa.Column("lead_person_id", sa.String(40), sa.ForeignKey("people.id"), nullable=True),
        *_common(),
    )
    op.create_index("ix_units_org_id", "units", ["organization_id", "id"])
    op.create_index("ix_units_org_parent", "units", ["organization_id", "parent_id"])
    op.create_table(
        "memberships",
        sa.Column("id", sa.String(40), primary_key=True),
        _org(),
        sa.Column("person_id", sa.String(40), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("unit_id", sa.String(40), sa.ForeignKey("units.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String(200), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        *_common(),
    )
    op.create_index("ix_memberships_org_id", "memberships", ["organization_id", "id"])
    op.create_index("ix_memberships_org_person", "memberships", ["organization_id", "person_id"])
    op.create_index("ix_memberships_org_unit", "memberships", ["organization_id", "unit_id"])
    op.create_table(
        "history",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("organization_id", sa.String(40), nullable=False),
        sa.Column("collection", sa.String(40), nullable=False),
        sa.Column("object_id", sa.String(40), nullable=False),
        sa.Column("valid_from", UtcDateTime(), nullable=False),
        sa.Column("valid_to", UtcDateTime(), nullable=True),
        sa.Column("data", JSON, nullable=False),
    )
    op.create_index("ix_history_org_collection_from", "history", ["organization_id", "collection", "valid_from"])
    op.create_index("ix_history_org_object_open", "history", ["organization_id", "collection", "object_id", "valid_to"])


def downgrade() -> None:
    op.drop_table("history")
    op.drop_table("memberships")
    op.drop_table("units")
    op.drop_table("people")
