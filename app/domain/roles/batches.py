"""Batched reads of roles and RACI, for GraphQL's DataLoaders: a fixed number of statements per batch
whatever its size, now or `as_of` an instant (roles and their assignments keep their history)."""

from __future__ import annotations

from datetime import datetime

from app.domain.org_chart.batches import _grouped
from app.domain.ports import UnitOfWork
from app.domain.principal import Principal
from app.domain.roles.model import RaciEntry, Role, RoleAssignment
from app.domain.roles.resolve import Resolution, Resolver
from app.domain.roles.service import READ
from app.domain.roles.views import Responsibilities, responsibilities


class RoleBatches:
    def __init__(self, uow: UnitOfWork, principal: Principal, today: datetime, as_of: datetime | None = None) -> None:
        principal.require(READ)
        principal.require_organization()
        self.uow, self.as_of = uow, as_of
        self.today = (as_of or today).date()

    async def roles(self, ids: list[str]) -> dict[str, Role]:
        if self.as_of is None:
            return {r.id: r for r in await self.uow.roles.get_many(ids)}
        wanted = set(ids)
        return {r.id: r for r in await self.uow.roles.at(self.as_of) if r.id in wanted}

    async def roles_of_units(self, unit_ids: list[str]) -> dict[str, list[Role]]:
        if self.as_of is None:
            found = await self.uow.roles.in_column("unit_id", unit_ids)
        else:
            wanted = set(unit_ids)
            found = [r for r in await self.uow.roles.at(self.as_of) if r.unit_id in wanted]
        return _grouped(found, lambda r: r.unit_id or "")

    async def assignments_of_people(self, person_ids: list[str]) -> dict[str, list[RoleAssignment]]:
        """The assignments running today (or on the day of `as_of`, as recorded then)."""
        if self.as_of is None:
            found = await self.uow.role_assignments.of_people(person_ids)
        else:
            wanted = set(person_ids)
            found = [a for a in await self.uow.role_assignments.at(self.as_of) if a.person_id in wanted]
        return _grouped([a for a in found if a.active_on(self.today)], lambda a: a.person_id)

    async def assignments_of_roles(self, role_ids: list[str]) -> dict[str, list[RoleAssignment]]:
        if self.as_of is None:
            found = await self.uow.role_assignments.of_roles(role_ids)
        else:
            wanted = set(role_ids)
            found = [a for a in await self.uow.role_assignments.at(self.as_of) if a.role_id in wanted]
        return _grouped([a for a in found if a.active_on(self.today)], lambda a: a.role_id)

    async def raci(self, subject_ids: list[str]) -> dict[str, list[RaciEntry]]:
        return _grouped(await self.uow.raci.of_subjects(subject_ids), lambda e: e.subject_id)

    async def resolved(self, subject_ids: list[str]) -> dict[str, Resolution]:
        return await Resolver(self.uow, self.today).resolve(subject_ids)

    async def responsibilities(self, person_ids: list[str]) -> dict[str, Responsibilities]:
        return await responsibilities(self.uow, self.today, person_ids)
