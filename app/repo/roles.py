"""Roles, role assignments and RACI entries on SQL; roles and assignments keep every version (`as_of`)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import or_

from app.domain.errors import Conflict
from app.domain.roles.model import RaciEntry, Role, RoleAssignment
from app.repo.org_chart import VersionedSqlRepository
from app.repo.repositories import Shape, SqlRepository, _chunks
from app.repo.sql import any_of
from app.repo.tables import RaciEntryRow, RoleAssignmentRow, RoleRow

TAKEN = (
    "Another entry holds this already: a subject has at most one accountable (A), and a party holds a letter on a"
    " subject once. Read the subject's entries again."
)


class RoleRepository(VersionedSqlRepository[Role]):
    row = RoleRow
    entity = Role
    collection = "roles"


class RoleAssignmentRepository(VersionedSqlRepository[RoleAssignment]):
    row = RoleAssignmentRow
    entity = RoleAssignment
    collection = "role_assignments"

    async def of_roles(self, role_ids: list[str]) -> list[RoleAssignment]:
        return await self.in_column("role_id", role_ids)

    async def of_people(self, person_ids: list[str]) -> list[RoleAssignment]:
        return await self.in_column("person_id", person_ids)


@cache
def _naming(s: Shape) -> Any:
    return s.select().where(or_(any_of(s.t.c.subject_id, "ids"), any_of(s.t.c.party_id, "ids"))).order_by(s.t.c.id)


def _taken(exc: Conflict) -> Conflict:
    """A unique index refused the row: the entry's, unless it was an external ref's."""
    return exc if "external ref" in str(exc) else Conflict(TAKEN, field="/letter")


class RaciRepository(SqlRepository[RaciEntry]):
    row = RaciEntryRow
    entity = RaciEntry
    collection = "raci_entries"

    async def add(self, entity: RaciEntry) -> None:
        try:
            await super().add(entity)
        except Conflict as exc:
            raise _taken(exc) from exc

    async def save(self, entity: RaciEntry, *, expected_version: int) -> None:
        try:
            await super().save(entity, expected_version=expected_version)
        except Conflict as exc:
            raise _taken(exc) from exc

    async def of_subjects(self, subject_ids: list[str]) -> list[RaciEntry]:
        return await self.in_column("subject_id", subject_ids)

    async def of_parties(self, party_ids: list[str]) -> list[RaciEntry]:
        return await self.in_column("party_id", party_ids)

    async def naming(self, object_ids: list[str]) -> list[RaciEntry]:
        """The entries whose subject or party is one of these objects."""
        out: dict[str, RaciEntry] = {}
        for chunk in _chunks(sorted(set(object_ids))):
            for r in await self.sql.rows(_naming(self.shape), {"ids": chunk}):
                e = self.to_entity(r)
                out[e.id] = e
        return list(out.values())
