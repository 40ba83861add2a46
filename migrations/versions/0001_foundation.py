"""Organizations, API clients, external refs, the event log and idempotency keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from app.repo.types import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("slug", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "api_clients",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("organization_id", sa.String(40), sa.ForeignKey("organizations.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("scopes", JSON, nullable=False),
        sa.Column("secret_hash", sa.String(128), nullable=False),
        sa.Column("external_refs", JSON, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_api_clients_org_id", "api_clients", ["organization_id", "id"])
    op.create_table(
        "external_refs",
        sa.Column("organization_id", sa.String(40), nullable=False),
        sa.Column("collection", sa.String(40), nullable=False),
        sa.Column("system", sa.String(64), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("object_id", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", "collection", "system", "external_id"),
        sa.UniqueConstraint("organization_id", "collection", "object_id", "system", name="uq_external_refs_object"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("organization_id", sa.String(40), nullable=False),
        sa.Column("type", sa.String(80), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("actor", JSON, nullable=False),
        sa.Column("data", JSON, nullable=False),
    )
    op.create_index("ix_events_org_id", "events", ["organization_id", "id"])
    op.create_index("ix_events_org_type_id", "events", ["organization_id", "type", "id"])
    op.create_table(
        "idempotency_keys",
        sa.Column("organization_id", sa.String(40), nullable=False),
        sa.Column("client_id", sa.String(200), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", JSON, nullable=True),
        sa.Column("headers", JSON, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", "client_id", "key"),
    )
    op.create_index("ix_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"])


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_table("events")
    op.drop_table("external_refs")
    op.drop_table("api_clients")
    op.drop_table("organizations")
