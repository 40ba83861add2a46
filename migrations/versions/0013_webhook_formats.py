"""Webhook endpoints' format (standard, slack, teams, wecom) and the locale of their messages.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.add_column(sa.Column("format", sa.String(20), nullable=False, server_default="standard"))
        batch.add_column(sa.Column("locale", sa.String(10), nullable=False, server_default="en"))
        batch.add_column(sa.Column("url_is_secret", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.drop_column("url_is_secret")
        batch.drop_column("locale")
        batch.drop_column("format")
