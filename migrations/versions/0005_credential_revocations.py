"""Credential revocations: what makes a token issued to an API client stop working at once on every
server process (the client deleted, its scopes changed).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from app.repo.types import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credential_revocations",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(40), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_credential_revocations_revoked_at", "credential_revocations", ["revoked_at"])


def downgrade() -> None:
    op.drop_index("ix_credential_revocations_revoked_at", "credential_revocations")
    op.drop_table("credential_revocations")
