"""SCIM provisioning: a person's user name (unique per organization, whatever its case), the name they sign in
by (the user name, else the email: one person's only), a department label as an HR system or identity
provider names it, an email that people an identity provider sends may lack, and whether the provider
ended its link.

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
        batch.add_column(sa.Column("sign_in_key", sa.String(320), nullable=True))
        batch.add_column(sa.Column("department", sa.String(200), nullable=True))
        batch.add_column(sa.Column("scim_ended", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.alter_column("email", existing_type=sa.String(320), nullable=True)
        batch.alter_column("email_key", existing_type=sa.String(320), nullable=True)
        batch.create_unique_constraint("uq_people_org_user_name", ["organization_id", "user_name_key"])
    op.execute("UPDATE people SET sign_in_key = email_key")  # nobody has a user name yet
    with op.batch_alter_table("people") as batch:
        batch.create_unique_constraint("uq_people_org_sign_in", ["organization_id", "sign_in_key"])


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_constraint("uq_people_org_sign_in", type_="unique")
        batch.drop_constraint("uq_people_org_user_name", type_="unique")
        batch.alter_column("email_key", existing_type=sa.String(320), nullable=False)
        batch.alter_column("email", existing_type=sa.String(320), nullable=False)
        batch.drop_column("scim_ended")
        batch.drop_column("department")
        batch.drop_column("sign_in_key")
        batch.drop_column("user_name_key")
        batch.drop_column("user_name")
