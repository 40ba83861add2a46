"""Memberships: who belongs to which unit, from when to when; at most one primary at a time."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from app.domain.changes import check_version, ensure_external_refs_free
from app.domain.endings import schedule_ending
from app.domain.errors import Conflict, ErrorList, NotFound
from app.domain.fields import stored
from app.domain.model import ListQuery, Page
from app.domain.org_chart.common import (
    MEMBERSHIP_FIELDS,
    MEMBERSHIP_MUTABLE,
    WRITE,
    OrgChartBase,
    matches_query,
    page_in_memory,
    refuse_read_only,
)
from app.domain.org_chart.model import (
    MEMBERSHIP_CHANGEABLE,
    MEMBERSHIP_DECLARED,
    MEMBERSHIP_DEFAULTS,
    Membership,
    check_membership,
    periods_overlap,
)
from app.domain.patch import cleared, patched, previous_attributes


class MembershipUseCases(OrgChartBase):
    async def get_membership(self, membership_id: str, as_of: datetime | None = None) -> Membership:
        self.readable_organization(self.principal)
        m = (
            await self.uow.memberships.get(membership_id)
            if as_of is None
            else next((x for x in await self.uow.memberships.at(as_of) if x.id == membership_id), None)
        )
        if m is None:
            raise NotFound(f"No membership {membership_id}.")
        return m

    async def list_memberships(self, query: ListQuery, as_of: datetime | None = None) -> Page[Membership]:
        self.readable_organization(self.principal)
        if as_of is None:
            return await self.uow.memberships.list(query)
        day = as_of.date()
        return page_in_memory(
            [m for m in await self.uow.memberships.at(as_of) if matches_query(m, query) and m.active_on(day)], query
        )

    async def create_membership(self, fields: dict[str, Any]) -> Membership:
        self._org(WRITE)
        fields = {**MEMBERSHIP_DEFAULTS, **{k: v for k, v in fields.items() if v is not None}}  # null: the default
        errors = ErrorList()
        check_membership(fields, errors, creating=True)
        errors.raise_if_any()
        await self.uow.memberships.lock_primaries()  # the sync decides primaries under the same lock
        person = await self.uow.people.get(fields["person_id"], for_update=True)
        if person is None:
            errors.add("/person_id", "no such person in this organization", "not_found")
        if await self.uow.units.get(fields["unit_id"]) is None:
            errors.add("/unit_id", "no such unit in this organization", "not_found")
        errors.raise_if_any()
        await ensure_external_refs_free(self.uow.memberships, fields["external_refs"], None)
        now = self.clock.now()
        m = self._new(
            Membership,
            "mbr",
            **stored(fields, MEMBERSHIP_DECLARED),
        )
        await self._check_one_primary(m)
        await self._add(self.uow.memberships, m, "membership.created")
        await schedule_ending(self.uow, "membership.ended", m, now.date())
        return m

    async def update_membership(
        self, membership_id: str, patch: dict[str, Any], expected_version: int | None = None
    ) -> Membership:
        self._org(WRITE)
        refuse_read_only(patch, MEMBERSHIP_MUTABLE)
        current = await self.uow.memberships.get(membership_id)
        if current is None:
            raise NotFound(f"No membership {membership_id}.")
        await self.uow.memberships.lock_primaries()  # the sync decides primaries under the same lock
        await self.uow.people.get(current.person_id, for_update=True)
        m = await self.uow.memberships.get(membership_id, for_update=True)
        assert m is not None
        check_version(m, expected_version)
        merged = patched(m, patch, MEMBERSHIP_FIELDS)
        merged = cleared(merged, external_refs={})  # null clears them
        errors = ErrorList()
        check_membership(merged, errors, creating=True)
        errors.raise_if_any()
        await ensure_external_refs_free(self.uow.memberships, merged["external_refs"], m.id, m.external_refs)
        before = m.resource()
        updated = replace(m, **stored(merged, MEMBERSHIP_CHANGEABLE, patch))
        changed = previous_attributes(before, updated.resource())
        if not changed:
            return m
        await self._check_one_primary(updated)
        updated.touch(self.clock.now())
        await self.uow.memberships.save(updated, expected_version=m.version)
        today = self.clock.now().date()
        ended = "ends_on" in changed and updated.ends_on is not None and updated.ends_on <= today
        self._record("membership.ended" if ended else "membership.updated", updated.resource(), changed)
        await schedule_ending(self.uow, "membership.ended", updated, today)
        return updated

    async def end_membership(
        self, membership_id: str, on: date | None = None, expected_version: int | None = None
    ) -> Membership:
        """Memberships end; they are not erased, so that the past stays readable."""
        day = on or self.clock.now().date()
        m = await self.get_membership(membership_id)
        if m.ends_on is not None and m.ends_on <= day:
            return m
        return await self.update_membership(membership_id, {"ends_on": day}, expected_version)

    async def withdraw_membership(self, membership_id: str) -> None:
        """A membership that has not begun yet (it starts today or later) is withdrawn rather than ended
        before it began: removed, with its `membership.ended` event (its versions stay in the history)."""
        self._org(WRITE)
        m = await self.uow.memberships.get(membership_id, for_update=True)
        if m is None:
            raise NotFound(f"No membership {membership_id}.")
        if m.starts_on is None or m.starts_on < self.clock.now().date():
            raise Conflict(f"{membership_id} has begun: end it instead.")
        await self.uow.memberships.delete(m)
        self._record("membership.ended", m.resource())

    async def _check_one_primary(self, m: Membership) -> None:
        if not m.primary:
            return
        for other in await self.uow.memberships.of_people([m.person_id]):
            if other.id != m.id and other.primary and periods_overlap(other, m):
                raise Conflict(
                    f"{m.person_id} already has a primary membership ({other.id}) in that period.", field="/primary"
                )
