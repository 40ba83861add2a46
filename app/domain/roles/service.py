"""Roles and role assignments: their use cases, for one caller. RACI entries and what they resolve to are
in `raci.py` (whose `Roles` is every use case of the area), the resolution itself in `resolve.py`."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from app.domain.changes import (
    check_refs,
    check_version,
    ensure_external_refs_free,
    forget_raci,
    refuse_nulls,
    refuse_read_only,
)
from app.domain.endings import schedule_ending
from app.domain.errors import Conflict, NotFound
from app.domain.fields import stored
from app.domain.model import ListQuery, Page, matches_query
from app.domain.patch import patched
from app.domain.reads import read_one, read_page
from app.domain.roles.model import (
    ROLE_ASSIGNMENT_DEFAULTS,
    ROLE_ASSIGNMENT_FIELDS,
    ROLE_ASSIGNMENT_WRITABLE,
    ROLE_DEFAULTS,
    ROLE_FIELDS,
    ROLE_WRITABLE,
    Role,
    RoleAssignment,
    check_role,
    check_role_assignment,
)
from app.domain.usecases import UseCases

READ, WRITE = "roles:read", "roles:write"
ENDED = "role_assignment.ended"  # the event, and the timed job that records it when a future ends_on comes
# The scope that reads each kind of subject (its title, what it is).
SUBJECT_SCOPE = {
    "objective": "objectives:read",
    "key_result": "objectives:read",
    "handoff": "handoffs:read",
    "unit": "org:read",
}
# The collection that holds each kind of subject and party.
REPOSITORY = {
    "objective": "objectives",
    "key_result": "key_results",
    "handoff": "handoffs",
    "unit": "units",
    "person": "people",
    "role": "roles",
}


class RolesBase(UseCases):
    def readable(self) -> str:
        return self._org(READ)


class RoleUseCases(RolesBase):
    async def get_role(self, role_id: str, as_of: datetime | None = None) -> Role:
        self.readable()
        return await read_one(self.uow.roles, role_id, as_of, "role")

    async def list_roles(self, query: ListQuery, as_of: datetime | None = None) -> Page[Role]:
        self.readable()
        return await read_page(self.uow.roles, query, as_of)

    async def create_role(self, fields: dict[str, Any]) -> Role:
        self._org(WRITE)
        fields = {**ROLE_DEFAULTS, **{k: v for k, v in fields.items() if v is not None}}
        check_role(fields, creating=True)
        await check_refs(self.uow, fields, {"unit_id": "unit"})
        await ensure_external_refs_free(self.uow.roles, fields["external_refs"], None)
        role = self._new(Role, "role", **stored(fields, ROLE_FIELDS))
        await self._add(self.uow.roles, role, "role.created")
        return role

    async def update_role(self, role_id: str, patch: dict[str, Any], expected_version: int | None = None) -> Role:
        self._org(WRITE)
        refuse_read_only(patch, ROLE_WRITABLE)
        refuse_nulls(patch, ROLE_FIELDS)
        role = await self._role(role_id, for_update=True)
        check_version(role, expected_version)
        merged = patched(role, patch, ROLE_WRITABLE)
        check_role(merged, creating=False)
        await check_refs(self.uow, merged, {"unit_id": "unit"}, role)
        await ensure_external_refs_free(self.uow.roles, merged["external_refs"], role.id, role.external_refs)
        changed = replace(role, **stored(merged, ROLE_FIELDS, patch))
        previous = await self._save_changes(self.uow.roles, role, changed)
        if not previous:
            return role
        self._record("role.updated", changed.resource(), previous)
        return changed

    async def delete_role(self, role_id: str, expected_version: int | None = None) -> None:
        """A role that someone holds or held stays (its assignments are the record): 409. Its RACI entries
        go with it."""
        self._org(WRITE)
        role = await self._role(role_id, for_update=True)
        check_version(role, expected_version)
        if await self.uow.role_assignments.of_roles([role_id]):
            raise Conflict(f"{role_id} has assignments, which are a record: delete or keep them, then the role.")
        await self.uow.roles.delete(role)
        self._record("role.deleted", role.resource())
        await forget_raci(self.uow, [role_id], self._record)

    async def upsert_role(self, system: str, external_id: str, fields: dict[str, Any]) -> tuple[Role, bool]:
        self._org(WRITE)
        return await self._upsert(
            self.uow.roles,
            system,
            external_id,
            fields,
            self.create_role,
            lambda e, p: self.update_role(e.id, p),
            ROLE_FIELDS,
            defaults=ROLE_DEFAULTS,
        )

    async def _role(self, role_id: str, *, for_update: bool = False) -> Role:
        found = await self.uow.roles.get(role_id, for_update=for_update)
        if found is None:
            raise NotFound(f"No role {role_id}.")
        return found


class AssignmentUseCases(RoleUseCases):
    async def get_role_assignment(self, assignment_id: str, as_of: datetime | None = None) -> RoleAssignment:
        self.readable()
        return await read_one(self.uow.role_assignments, assignment_id, as_of, "role assignment")

    async def list_role_assignments(self, query: ListQuery, as_of: datetime | None = None) -> Page[RoleAssignment]:
        """Now: every assignment, ended or not. `as_of`: those that ran on that day, as they were recorded
        at that instant."""
        self.readable()
        day = as_of.date() if as_of is not None else None
        return await read_page(
            self.uow.role_assignments, query, as_of, lambda a, q: matches_query(a, q) and a.active_on(day)
        )

    async def create_role_assignment(self, fields: dict[str, Any]) -> RoleAssignment:
        self._org(WRITE)
        fields = {**ROLE_ASSIGNMENT_DEFAULTS, **{k: v for k, v in fields.items() if v is not None}}
        check_role_assignment(fields, creating=True)
        await check_refs(self.uow, fields, {"role_id": "role", "person_id": "person", "unit_id": "unit"})
        await ensure_external_refs_free(self.uow.role_assignments, fields["external_refs"], None)
        now = self.clock.now()
        assignment = self._new(RoleAssignment, "rola", **stored(fields, ROLE_ASSIGNMENT_FIELDS))
        await self._add(self.uow.role_assignments, assignment, "role_assignment.created")
        await schedule_ending(self.uow, ENDED, assignment, now.date())
        return assignment

    async def update_role_assignment(
        self, assignment_id: str, patch: dict[str, Any], expected_version: int | None = None
    ) -> RoleAssignment:
        self._org(WRITE)
        refuse_read_only(patch, ROLE_ASSIGNMENT_WRITABLE)
        refuse_nulls(patch, ROLE_ASSIGNMENT_FIELDS)
        found = await self._to_change(self.uow.role_assignments, assignment_id, "role assignment", expected_version)
        merged = patched(found, patch, [f.name for f in ROLE_ASSIGNMENT_FIELDS])
        check_role_assignment(merged, creating=False)
        await check_refs(self.uow, merged, {"unit_id": "unit"}, found)
        await ensure_external_refs_free(
            self.uow.role_assignments, merged["external_refs"], found.id, found.external_refs
        )
        changed = replace(found, **stored(merged, ROLE_ASSIGNMENT_FIELDS, patch))
        previous = await self._save_changes(self.uow.role_assignments, found, changed)
        if not previous:
            return found
        today = self.clock.now().date()
        ended = "ends_on" in previous and changed.ends_on is not None and changed.ends_on <= today
        self._record(ENDED if ended else "role_assignment.updated", changed.resource(), previous)
        await schedule_ending(self.uow, ENDED, changed, today)
        return changed

    async def delete_role_assignment(self, assignment_id: str, expected_version: int | None = None) -> None:
        """For a mistake: the assignment is gone from now on (reads `as_of` before still show it). An
        assignment that ran is ended instead (`ends_on`)."""
        self._org(WRITE)
        found = await self._to_change(self.uow.role_assignments, assignment_id, "role assignment", expected_version)
        await self.uow.role_assignments.delete(found)
        self._record("role_assignment.deleted", found.resource())
        await self.uow.jobs.cancel(ENDED, found.id)

    async def upsert_role_assignment(
        self, system: str, external_id: str, fields: dict[str, Any]
    ) -> tuple[RoleAssignment, bool]:
        self._org(WRITE)
        return await self._upsert(
            self.uow.role_assignments, system, external_id, fields, self.create_role_assignment,
            lambda e, p: self.update_role_assignment(e.id, p), ROLE_ASSIGNMENT_FIELDS, fixed=("role_id", "person_id"),
            defaults=ROLE_ASSIGNMENT_DEFAULTS,
        )  # fmt: skip
