"""SCIM provisioning: a person's user name (unique per organization, whatever its case), an email that
people an identity provider sends may lack, the department as the provider names it, and whether the
provider ended its link.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("user_name", sa.String(255), nullable=True))
        batch.add_column(sa.Column("user_name_key", sa.String(255), nullable=True))
        batch.add_column(sa.Column("scim_department", sa.String(255), nullable=True))
        batch.add_column(sa.Column("scim_ended", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.alter_column("email", existing_type=sa.String(320), nullable=True)
        batch.alter_column("email_key", existing_type=sa.String(320), nullable=True)
        batch.create_unique_constraint("uq_people_org_user_name", ["organization_id", "user_name_key"])


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_constraint("uq_people_org_user_name", type_="unique")
        batch.alter_column("email_key", existing_type=sa.String(320), nullable=False)
        batch.alter_column("email", existing_type=sa.String(320), nullable=False)
        batch.drop_column("scim_ended")
        batch.drop_column("scim_department")
        batch.drop_column("user_name_key")
        batch.drop_column("user_name")
