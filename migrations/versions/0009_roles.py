"""Roles, role assignments, RACI entries, and the subjects each event is about (filled for the events
already recorded).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from app.repo.types import JsonType, UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# As app/domain/events.py had it when this revision was written: a migration is history.
SUBJECT_FIELDS = {
    "unit": ("id",),
    "objective": ("id",),
    "key_result": ("id", "objective_id"),
    "check_in": ("key_result_id", "objective_id"),
    "handoff": ("id",),
}
FAMILY_RESOURCE = {"handoff.comment_added": ("handoff_id",)}


def _org() -> sa.Column[Any]:
    return sa.Column(
        "organization_id", sa.String(40), sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )


def _bookkeeping() -> list[sa.Column[Any]]:
    return [
        sa.Column("external_refs", JsonType, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "roles",
        sa.Column("id", sa.String(40), primary_key=True),
        _org(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.String(10_000), nullable=True),
        sa.Column("responsibilities", JsonType, nullable=False),
        sa.Column("unit_id", sa.String(40), sa.ForeignKey("units.id"), nullable=True),
        sa.Column("links", JsonType, nullable=False),
        *_bookkeeping(),
    )
    op.create_index("ix_roles_org_id", "roles", ["organization_id", "id"])
    op.create_index("ix_roles_org_unit", "roles", ["organization_id", "unit_id"])
    op.create_table(
        "role_assignments",
        sa.Column("id", sa.String(40), primary_key=True),
        _org(),
        sa.Column("role_id", sa.String(40), sa.ForeignKey("roles.id"), nullable=False),
        sa.Column("person_id", sa.String(40), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("unit_id", sa.String(40), sa.ForeignKey("units.id"), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        *_bookkeeping(),
    )
    op.create_index("ix_role_assignments_org_id", "role_assignments", ["organization_id", "id"])
    op.create_index("ix_role_assignments_org_role", "role_assignments", ["organization_id", "role_id"])
    op.create_index("ix_role_assignments_org_person", "role_assignments", ["organization_id", "person_id"])
    op.create_table(
        "raci_entries",
        sa.Column("id", sa.String(40), primary_key=True),
        _org(),
        sa.Column("subject_type", sa.String(20), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("party_type", sa.String(20), nullable=False),
        sa.Column("party_id", sa.String(40), nullable=False),
        sa.Column("letter", sa.String(1), nullable=False),
        sa.Column("inherit", sa.String(10), nullable=False),
        *_bookkeeping(),
        sa.UniqueConstraint("organization_id", "subject_id", "party_id", "letter", name="uq_raci_entries_letter"),
    )
    op.create_index("ix_raci_entries_org_id", "raci_entries", ["organization_id", "id"])
    op.create_index("ix_raci_entries_org_party", "raci_entries", ["organization_id", "party_id"])
    op.create_index(
        "uq_raci_entries_one_accountable",
        "raci_entries",
        ["organization_id", "subject_id"],
        unique=True,
        postgresql_where=sa.text("letter = 'A'"),
        sqlite_where=sa.text("letter = 'A'"),
    )
    event_subjects = op.create_table(
        "event_subjects",
        _org(),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("event_id", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", "subject_id", "event_id"),
    )
    _fill(event_subjects)


def _fill(event_subjects: sa.Table) -> None:
    """The subjects of the events already in the log, a thousand events at a time."""
    bind = op.get_bind()
    events = sa.table(
        "events",
        sa.column("id", sa.String()),
        sa.column("organization_id", sa.String()),
        sa.column("type", sa.String()),
        sa.column("data", JsonType),
    )
    after = ""
    while True:
        rows = bind.execute(
            sa.select(events.c.id, events.c.organization_id, events.c.type, events.c.data)
            .where(events.c.id > after)
            .order_by(events.c.id)
            .limit(1000)
        ).all()
        if not rows:
            return
        out = []
        for event_id, org, event_type, data in rows:
            names = FAMILY_RESOURCE.get(event_type) or SUBJECT_FIELDS.get(event_type.split(".")[0], ())
            obj = (data or {}).get("object") or {}
            for subject in dict.fromkeys(obj.get(n) for n in names):
                if isinstance(subject, str) and subject:
                    out.append({"organization_id": org, "subject_id": subject, "event_id": event_id})
        if out:
            bind.execute(event_subjects.insert(), out)
        after = rows[-1][0]


def downgrade() -> None:
    op.drop_table("event_subjects")
    op.drop_table("raci_entries")
    op.drop_table("role_assignments")
    op.drop_table("roles")
