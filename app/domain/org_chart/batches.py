"""Batched reads of the org chart, for GraphQL's DataLoaders."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypeVar

from app.domain.clock import SYSTEM_CLOCK
from app.domain.model import Entity
from app.domain.org_chart import tree
from app.domain.org_chart.common import READ
from app.domain.org_chart.model import Membership, Person, Unit
from app.domain.ports import Clock, UnitOfWork
from app.domain.principal import Principal

T = TypeVar("T", bound=Entity)


class OrgChartBatches:
    """Batched reads for GraphQL's DataLoaders: one statement per batch, whatever the batch's size.
    Reads of the past load the organization's snapshot at that instant once per batch."""

    def __init__(
        self, uow: UnitOfWork, principal: Principal, as_of: datetime | None, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        principal.require(READ)
        principal.require_organization()
        self.uow, self.as_of = uow, as_of
        self.day = (as_of or clock.now()).date()

    async def units(self, ids: list[str]) -> dict[str, Unit]:
        found = await self.uow.units.get_many(ids) if self.as_of is None else await self.uow.units.at(self.as_of)
        return {u.id: u for u in found}

    async def people(self, ids: list[str]) -> dict[str, Person]:
        found = await self.uow.people.get_many(ids) if self.as_of is None else await self.uow.people.at(self.as_of)
        return {p.id: p for p in found}

    async def children(self, unit_ids: list[str]) -> dict[str, list[Unit]]:
        wanted = set(unit_ids)
        found = (
            await self.uow.units.children_of(unit_ids)
            if self.as_of is None
            else [u for u in await self.uow.units.at(self.as_of) if u.parent_id in wanted]
        )
        return _grouped(found, lambda u: u.parent_id or "")

    async def reports(self, person_ids: list[str]) -> dict[str, list[Person]]:
        wanted = set(person_ids)
        found = (
            await self.uow.people.reports_of(person_ids)
            if self.as_of is None
            else [p for p in await self.uow.people.at(self.as_of) if p.manager_id in wanted]
        )
        return _grouped(found, lambda p: p.manager_id or "")

    async def memberships_of_units(self, unit_ids: list[str]) -> dict[str, list[Membership]]:
        """The memberships that are running on the day (today, or the day of `as_of`)."""
        wanted = set(unit_ids)
        found = (
            await self.uow.memberships.of_units(unit_ids)
            if self.as_of is None
            else [m for m in await self.uow.memberships.at(self.as_of) if m.unit_id in wanted]
        )
        return _grouped([m for m in found if m.active_on(self.day)], lambda m: m.unit_id)

    async def memberships_of_people(self, person_ids: list[str]) -> dict[str, list[Membership]]:
        """Every membership of the person in the present (ended ones too); in the past, those running then."""
        wanted = set(person_ids)
        found = (
            await self.uow.memberships.of_people(person_ids)
            if self.as_of is None
            else [
                m for m in await self.uow.memberships.at(self.as_of) if m.person_id in wanted and m.active_on(self.day)
            ]
        )
        return _grouped(found, lambda m: m.person_id)

    async def units_of_people(self, person_ids: list[str]) -> dict[str, list[Unit]]:
        """The units of each person's memberships running on the day (today, or the day of `as_of`)."""
        memberships = await self.memberships_of_people(person_ids)
        unit_ids = {p: sorted({m.unit_id for m in ms if m.active_on(self.day)}) for p, ms in memberships.items()}
        units = await self.units(sorted({u for ids in unit_ids.values() for u in ids}))
        return {p: [units[u] for u in ids if u in units] for p, ids in unit_ids.items()}

    async def ancestors(self, unit_ids: list[str]) -> dict[str, list[Unit]]:
        """Each unit's parent, then its parent, up to the root: the walk the service does (`tree`)."""
        if self.as_of is None:
            return await self.uow.units.ancestors_of(unit_ids)
        snapshot = await self.uow.units.at(self.as_of)
        return {u: tree.ancestors(snapshot, u) for u in unit_ids}


def _grouped(items: Iterable[T], key: Callable[[T], str]) -> dict[str, list[T]]:
    """Items by key, each group in id order (the order every batched read answers in)."""
    out: dict[str, list[T]] = {}
    for item in sorted(items, key=lambda x: x.id):
        out.setdefault(key(item), []).append(item)
    return out
