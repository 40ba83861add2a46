"""Provisioning by an identity provider (SCIM 2.0): its users are people, its groups units. Every change
goes through the org chart's own use cases, so that it follows the same rules and records the same events
and history as a change over REST or GraphQL; only the provider's own bookkeeping (its external id,
whether it ended its link) is kept here."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from app.domain.errors import ErrorList, FieldError, Invalid, NotFound
from app.domain.org_chart.common import READ, WRITE
from app.domain.org_chart.model import Membership, Person, Unit, check_person, key_or_none
from app.domain.org_chart.service import OrgChart
from app.domain.provisioning.criteria import Criterion
from app.domain.usecases import UseCases

SCIM = "scim"
SYSTEM = "scim"  # the system of external refs under which a provider's externalId is kept
GROUP_KIND = "team"  # a unit a provider creates; it can be changed over REST


class Provisioning(UseCases):
    """The use cases of one identity provider's token (the `scim` scope)."""

    def _chart(self) -> OrgChart:
        """The org chart's use cases on the provider's behalf: its token holds `scim`, which allows what
        provisioning needs of the org chart (reading it, changing people and units), named as itself."""
        self._org(SCIM)
        acting = replace(self.principal, scopes=frozenset({READ, WRITE}))
        return OrgChart(self.uow, acting, self.clock, self.actor or self.principal.actor)

    def _today(self) -> date:
        return self.clock.now().date()

    # --- users ---------------------------------------------------------------------------------------

    async def search_people(self, criterion: Criterion | None, offset: int, limit: int) -> tuple[int, list[Person]]:
        self._org(SCIM)
        return await self.uow.people.search(criterion, offset, limit)

    async def person(self, person_id: str, *, lock: bool = False) -> Person:
        """`lock`: held until the transaction ends (a change read, then made, by one request)."""
        self._org(SCIM)
        person = await self.uow.people.get(person_id, for_update=lock)
        if person is None or person.scim_ended:
            raise NotFound(f"No User {person_id}.")
        return person

    async def people(self, ids: list[str]) -> dict[str, Person]:
        """The people among `ids` a provider sees (managers, members), by id."""
        return {p.id: p for p in await self.uow.people.get_many(sorted(set(ids))) if not p.scim_ended}

    async def create_person(self, fields: dict[str, Any], external_id: str | None) -> Person:
        """A person. A user name that belongs to someone whose link the provider ended brings that person
        back (a re-hire is the same person): their record is updated, reactivated and linked again."""
        chart = self._chart()
        _check(fields)
        await self._check_manager(fields)
        key = key_or_none(fields.get("user_name"))
        returning = None if key is None else await self.uow.people.find_by_sign_in_name(key)
        if returning is not None and returning.scim_ended:
            return await self.update_person(returning.id, fields, external_id, relink=True)
        refs = {SYSTEM: external_id} if external_id else {}
        return await chart.create_person({**fields, "external_refs": refs})

    async def update_person(
        self,
        person_id: str,
        fields: dict[str, Any],
        external_id: str | None,
        *,
        relink: bool = False,
    ) -> Person:
        """The person as the provider now describes it: every field it manages (absent ones cleared). A
        person who signs in by their email, shown to the provider with it as their userName, keeps signing
        in by it when the provider sends it back: it does not become a user name."""
        chart = self._chart()
        _check(fields)
        await self._check_manager(fields)
        current = await self.uow.people.get(person_id) if relink else await self.person(person_id)
        assert current is not None
        fields = dict(fields)
        if current.user_name is None and key_or_none(fields.get("user_name")) in (
            key_or_none(current.email),
            key_or_none(fields.get("email")),
        ):
            fields["user_name"] = None
        patch = {**fields, "external_refs": {SYSTEM: external_id}}
        return await chart.update_person(person_id, patch, scim_ended=False)

    async def end_person(self, person_id: str) -> None:
        """The provider is done with this person: deactivated (never deleted), and no longer its User."""
        await self.person(person_id)
        await self._chart().update_person(
            person_id, {"status": "inactive", "external_refs": {SYSTEM: None}}, scim_ended=True
        )

    # --- groups --------------------------------------------------------------------------------------

    async def search_units(self, criterion: Criterion | None, offset: int, limit: int) -> tuple[int, list[Unit]]:
        self._org(SCIM)
        return await self.uow.units.search(criterion, offset, limit, self._today())

    async def unit(self, unit_id: str, *, lock: bool = False) -> Unit:
        self._org(SCIM)
        unit = await self.uow.units.get(unit_id, for_update=lock)
        if unit is None:
            raise NotFound(f"No Group {unit_id}.")
        return unit

    async def members(self, unit_ids: list[str]) -> dict[str, list[Person]]:
        """Each unit's members: the people a provider sees with a running membership today, in id order."""
        self._org(SCIM)
        today = self._today()
        running = [m for m in await self.uow.memberships.of_units(unit_ids) if m.active_on(today)]
        people = await self.people([m.person_id for m in running])
        out: dict[str, list[Person]] = {u: [] for u in unit_ids}
        for m in running:
            if m.person_id in people and people[m.person_id] not in out[m.unit_id]:
                out[m.unit_id].append(people[m.person_id])
        return {u: sorted(found, key=lambda p: p.id) for u, found in out.items()}

    async def create_unit(self, name: str, external_id: str | None, member_ids: list[str]) -> Unit:
        chart = self._chart()
        await self._check_members(member_ids)
        refs = {SYSTEM: external_id} if external_id else {}
        unit = await chart.create_unit({"name": name, "kind": GROUP_KIND, "external_refs": refs})
        for person_id in dict.fromkeys(member_ids):
            await chart.create_membership({"person_id": person_id, "unit_id": unit.id, "starts_on": self._today()})
        return unit

    async def update_unit(
        self,
        unit_id: str,
        name: str,
        external_id: str | None,
        member_ids: list[str],
        expected_version: int | None = None,
    ) -> Unit:
        """The unit as the provider now describes it: its name, its external id and its members (people
        it no longer lists leave the unit today; new ones join it today)."""
        chart = self._chart()
        await self.unit(unit_id)
        await self._check_members(member_ids)
        unit = await chart.update_unit(
            unit_id, {"name": name, "external_refs": {SYSTEM: external_id}}, expected_version
        )
        # Only what the provider sees changes: memberships running today of people it sees. Memberships that
        # begin later, and those of people whose link it ended, are none of its business.
        today = self._today()
        memberships = [m for m in await self.uow.memberships.of_units([unit_id]) if m.active_on(today)]
        seen = await self.people([m.person_id for m in memberships])
        running = [m for m in memberships if m.person_id in seen]
        wanted = set(member_ids)
        for m in running:
            if m.person_id not in wanted:
                await self._leave(chart, m)
        present = {m.person_id for m in running}
        for person_id in dict.fromkeys(member_ids):
            if person_id not in present:
                await chart.create_membership({"person_id": person_id, "unit_id": unit_id, "starts_on": today})
        return unit

    async def delete_unit(self, unit_id: str) -> None:
        """The unit's memberships end, then the unit is deleted; Conflict while it has child units, or
        objectives or roles name it (the unit of work then rolls back: the memberships did not end)."""
        chart = self._chart()
        await self.unit(unit_id)
        today = self._today()
        for m in await self.uow.memberships.of_units([unit_id]):
            if m.ends_on is None or m.ends_on >= today:
                await self._leave(chart, m)
        await chart.delete_unit(unit_id)

    async def _leave(self, chart: OrgChart, m: Membership) -> None:
        """No longer a member from today: a membership that began before today ends yesterday; one that
        begins today or later is withdrawn (ended before it ran)."""
        today = self._today()
        if m.starts_on is None or m.starts_on < today:
            await chart.update_membership(m.id, {"ends_on": today - timedelta(days=1)})
        else:
            await chart.withdraw_membership(m.id)

    async def _check_manager(self, fields: dict[str, Any]) -> None:
        """A manager the provider names is one of its Users (not someone whose link it ended)."""
        manager = fields.get("manager_id")
        if isinstance(manager, str) and manager and not await self.people([manager]):
            raise Invalid("The manager is no User of this organization.",
                          [FieldError("/manager_id", f"no User {manager} in this organization", "not_found")])  # fmt: skip

    async def _check_members(self, member_ids: list[str]) -> None:
        found = await self.people(member_ids)
        errors = ErrorList()
        for i, person_id in enumerate(member_ids):
            if person_id not in found:
                errors.add(f"/members/{i}/value", f"no User {person_id} in this organization", "not_found")
        errors.raise_if_any("A member is no User of this organization.")


def _check(fields: dict[str, Any]) -> None:
    """The fields as the org chart checks them, before anything is looked up by them."""
    errors = ErrorList()
    check_person(fields, errors, creating=True)
    errors.raise_if_any()
