"""The org chart's use cases. REST and GraphQL both call these, so that they cannot disagree."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from app.domain.changes import check_version, ensure_external_refs_free, record
from app.domain.clock import SYSTEM_CLOCK
from app.domain.errors import Conflict, ErrorList, FieldError, Invalid, NotFound
from app.domain.ids import new_id
from app.domain.model import ListQuery, Page
from app.domain.org_chart import tree
from app.domain.org_chart.model import (
    Membership,
    Person,
    Unit,
    check_membership,
    check_person,
    check_unit,
    email_key,
    periods_overlap,
)
from app.domain.patch import merge_patch, previous_attributes
from app.domain.ports import Clock, UnitOfWork
from app.domain.principal import Principal

READ, WRITE = "org:read", "org:write"
UNIT_FIELDS = ("name", "kind", "parent_id", "lead_person_id", "external_refs")
PERSON_FIELDS = ("given_name", "family_name", "email", "title", "manager_id", "status", "external_refs")
MEMBERSHIP_FIELDS = ("person_id", "unit_id", "title", "kind", "primary", "starts_on", "ends_on", "external_refs")
MEMBERSHIP_MUTABLE = ("title", "kind", "primary", "starts_on", "ends_on", "external_refs")


def _read_only(patch: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(patch) - set(allowed))
    if unknown:
        raise Invalid(
            "Some fields cannot be changed.", [FieldError(f"/{k}", "cannot be changed", "read_only") for k in unknown]
        )


def _page(items: list[Any], query: ListQuery) -> Page[Any]:
    """Keyset paging over objects already in memory (reads of the past)."""
    rest = sorted((x for x in items if not query.after or x.id > query.after), key=lambda x: x.id)
    chosen = rest[: query.limit]
    return Page(chosen, chosen[-1].id if len(rest) > query.limit else None)


def _matches(item: Any, query: ListQuery) -> bool:
    if query.updated_since is not None and item.updated_at < query.updated_since:
        return False
    if query.external_ref is not None and item.external_refs.get(query.external_ref[0]) != query.external_ref[1]:
        return False
    return all(getattr(item, k) == v for k, v in query.filters.items())


class OrgChart:
    def __init__(self, uow: UnitOfWork, principal: Principal, clock: Clock = SYSTEM_CLOCK) -> None:
        self.uow, self.principal, self.clock = uow, principal, clock

    def _org(self, scope: str) -> str:
        self.principal.require(scope)
        return self.principal.require_organization()

    @staticmethod
    def readable_organization(principal: Principal) -> str:
        """The organization whose org chart this caller may read; Forbidden when it may read none. Every
        read applies it."""
        principal.require(READ)
        return principal.require_organization()

    def _record(self, event_type: str, obj: dict[str, Any], previous: dict[str, Any] | None = None) -> None:
        record(self.uow, self.principal, self.clock, event_type, obj, self.principal.require_organization(), previous)

    # --- units ---------------------------------------------------------------------------------------

    async def get_unit(self, unit_id: str, as_of: datetime | None = None) -> Unit:
        self.readable_organization(self.principal)
        unit = (
            await self.uow.units.get(unit_id)
            if as_of is None
            else next((u for u in await self.uow.units.at(as_of) if u.id == unit_id), None)
        )
        if unit is None:
            raise NotFound(f"No unit {unit_id}" + (" at that instant." if as_of else "."))
        return unit

    async def list_units(self, query: ListQuery, as_of: datetime | None = None) -> Page[Unit]:
        self.readable_organization(self.principal)
        if as_of is None:
            return await self.uow.units.list(query)
        return _page([u for u in await self.uow.units.at(as_of) if _matches(u, query)], query)

    async def create_unit(self, fields: dict[str, Any]) -> Unit:
        org = self._org(WRITE)
        fields = {"external_refs": {}, **fields}
        errors = ErrorList()
        check_unit(fields, errors, creating=True)
        errors.raise_if_any()
        await self._check_unit_refs(fields)
        await ensure_external_refs_free(self.uow.units, fields["external_refs"], None)
        now = self.clock.now()
        unit = Unit(
            id=new_id("unit"),
            organization_id=org,
            created_at=now,
            updated_at=now,
            name=fields["name"].strip(),
            kind=fields["kind"],
            parent_id=fields.get("parent_id"),
            lead_person_id=fields.get("lead_person_id"),
            external_refs=fields["external_refs"],
        )
        await self.uow.units.add(unit)
        self._record("unit.created", unit.resource())
        return unit

    async def update_unit(self, unit_id: str, patch: dict[str, Any], expected_version: int | None = None) -> Unit:
        self._org(WRITE)
        _read_only(patch, UNIT_FIELDS)
        if "parent_id" in patch:
            await self.uow.units.lock_structure()
        unit = await self.uow.units.get(unit_id, for_update=True)
        if unit is None:
            raise NotFound(f"No unit {unit_id}.")
        check_version(unit, expected_version)
        merged = merge_patch({k: getattr(unit, k) for k in UNIT_FIELDS}, patch)
        merged.setdefault("external_refs", {})
        errors = ErrorList()
        check_unit(merged, errors, creating=True)
        errors.raise_if_any()
        await self._check_unit_refs(merged, unit)
        new_parent = merged.get("parent_id")
        if new_parent and new_parent != unit.parent_id and await self._would_cycle(unit.id, new_parent):
            raise Conflict(f"Moving {unit.id} under {new_parent} would make a cycle.")
        await ensure_external_refs_free(self.uow.units, merged["external_refs"], unit.id, unit.external_refs)
        before = unit.resource()
        changed_unit = replace(
            unit,
            name=merged["name"].strip(),
            kind=merged["kind"],
            parent_id=merged.get("parent_id"),
            lead_person_id=merged.get("lead_person_id"),
            external_refs=merged["external_refs"],
        )
        changed = previous_attributes(before, changed_unit.resource())
        if not changed:
            return unit
        changed_unit.touch(self.clock.now())
        await self.uow.units.save(changed_unit, expected_version=unit.version)
        self._record("unit.moved" if "parent_id" in changed else "unit.updated", changed_unit.resource(), changed)
        return changed_unit

    async def _would_cycle(self, unit_id: str, new_parent_id: str) -> bool:
        """Read under the structure lock: no concurrent move can slip in between this and the write."""
        return new_parent_id == unit_id or unit_id in {a.id for a in await self.uow.units.ancestors(new_parent_id)}

    async def delete_unit(self, unit_id: str, expected_version: int | None = None) -> None:
        self._org(WRITE)
        await self.uow.units.lock_structure()
        unit = await self.uow.units.get(unit_id, for_update=True)
        if unit is None:
            raise NotFound(f"No unit {unit_id}.")
        check_version(unit, expected_version)
        if await self.uow.units.has_children(unit_id):
            raise Conflict(f"{unit_id} still has child units; move or delete them first.")
        today = self.clock.now().date()
        if any(m.ends_on is None or m.ends_on >= today for m in await self.uow.memberships.of_units([unit_id])):
            raise Conflict(f"{unit_id} still has members; end their memberships first.")
        await self.uow.units.delete(unit)
        self._record("unit.deleted", unit.resource())

    async def upsert_unit(self, system: str, external_id: str, fields: dict[str, Any]) -> tuple[Unit, bool]:
        self._org(WRITE)
        fields = self._with_ref(fields, system, external_id)
        existing = await self.uow.units.find_by_external_ref(system, external_id)
        if existing is None:
            return await self.create_unit(fields), True
        return await self.update_unit(existing.id, fields), False

    async def _check_unit_refs(self, fields: dict[str, Any], before: Unit | None = None) -> None:
        """The units and people named exist (those the unit already named were checked when it named them)."""
        errors = ErrorList()
        parent, lead = fields.get("parent_id"), fields.get("lead_person_id")
        if parent and (before is None or parent != before.parent_id) and await self.uow.units.get(parent) is None:
            errors.add("/parent_id", "no such unit in this organization", "not_found")
        if lead and (before is None or lead != before.lead_person_id) and await self.uow.people.get(lead) is None:
            errors.add("/lead_person_id", "no such person in this organization", "not_found")
        errors.raise_if_any()

    @staticmethod
    def _with_ref(fields: dict[str, Any], system: str, external_id: str) -> dict[str, Any]:
        refs = dict(fields.get("external_refs") or {})
        if refs.get(system, external_id) != external_id:
            raise Invalid(
                "The body names another id for the system of the URL.",
                [FieldError(f"/external_refs/{system}", "differs from the URL")],
            )
        refs[system] = external_id
        return {**fields, "external_refs": refs}

    async def descendants(
        self, unit_id: str, max_depth: int | None, as_of: datetime | None = None
    ) -> list[tuple[Unit, int]]:
        await self.get_unit(unit_id, as_of)
        if as_of is None:
            return await self.uow.units.descendants(unit_id, max_depth)
        return tree.descendants(await self.uow.units.at(as_of), unit_id, max_depth)

    async def ancestors(self, unit_id: str, as_of: datetime | None = None) -> list[Unit]:
        await self.get_unit(unit_id, as_of)
        if as_of is None:
            return await self.uow.units.ancestors(unit_id)
        return tree.ancestors(await self.uow.units.at(as_of), unit_id)

    async def org_chart(
        self, root_id: str | None, max_depth: int | None, as_of: datetime | None = None
    ) -> list[dict[str, Any]]:
        """The nested tree: each unit with its members (person and membership) and its children."""
        self.readable_organization(self.principal)
        if root_id is not None:
            root = await self.get_unit(root_id, as_of)
            units = [root] + [u for u, _ in await self.descendants(root_id, max_depth, as_of)]
        elif as_of is None:
            units = await self._all_units()
        else:
            units = await self.uow.units.at(as_of)
        unit_ids = [u.id for u in units]
        day = (as_of or self.clock.now()).date()
        if as_of is None:
            memberships = [m for m in await self.uow.memberships.of_units(unit_ids) if m.active_on(day)]
            people = {p.id: p for p in await self.uow.people.get_many(sorted({m.person_id for m in memberships}))}
        else:
            wanted = set(unit_ids)
            memberships = [m for m in await self.uow.memberships.at(as_of) if m.unit_id in wanted and m.active_on(day)]
            people = {p.id: p for p in await self.uow.people.at(as_of)}
        members: dict[str, list[dict[str, Any]]] = {}
        for m in sorted(memberships, key=lambda m: m.id):
            person = people.get(m.person_id)
            if person is not None:
                members.setdefault(m.unit_id, []).append(
                    {
                        "person": person.resource(),
                        "membership": {"id": m.id, "title": m.title, "kind": m.kind, "primary": m.primary},
                    }
                )
        nodes = {u.id: {**u.resource(), "members": members.get(u.id, []), "children": []} for u in units}
        roots: list[dict[str, Any]] = []
        for u in sorted(units, key=lambda u: u.id):
            parent = nodes.get(u.parent_id) if u.parent_id and u.id != root_id else None
            (parent["children"] if parent is not None else roots).append(nodes[u.id])
        if root_id is None and max_depth is not None:

            def prune(node: dict[str, Any], depth: int) -> None:
                if depth >= max_depth:
                    node["children"] = []
                for child in node["children"]:
                    prune(child, depth + 1)

            for r in roots:
                prune(r, 0)
        return roots

    async def _all_units(self) -> list[Unit]:
        out: list[Unit] = []
        query = ListQuery(limit=5000)
        while True:
            page = await self.uow.units.list(query)
            out.extend(page.items)
            if page.next_after is None:
                return out
            query = ListQuery(limit=5000, after=page.next_after)

    # --- people --------------------------------------------------------------------------------------

    async def get_person(self, person_id: str, as_of: datetime | None = None) -> Person:
        self.readable_organization(self.principal)
        person = (
            await self.uow.people.get(person_id)
            if as_of is None
            else next((p for p in await self.uow.people.at(as_of) if p.id == person_id), None)
        )
        if person is None:
            raise NotFound(f"No person {person_id}" + (" at that instant." if as_of else "."))
        return person

    async def list_people(self, query: ListQuery, as_of: datetime | None = None) -> Page[Person]:
        self.readable_organization(self.principal)
        if as_of is None:
            return await self.uow.people.list(query)
        return _page([p for p in await self.uow.people.at(as_of) if _matches(p, query)], query)

    async def create_person(self, fields: dict[str, Any]) -> Person:
        org = self._org(WRITE)
        fields = {"external_refs": {}, "status": "active", **fields}
        errors = ErrorList()
        check_person(fields, errors, creating=True)
        errors.raise_if_any()
        await self._check_person_refs(fields, None)
        await ensure_external_refs_free(self.uow.people, fields["external_refs"], None)
        now = self.clock.now()
        person = Person(
            id=new_id("person"),
            organization_id=org,
            created_at=now,
            updated_at=now,
            given_name=fields["given_name"].strip(),
            family_name=fields["family_name"].strip(),
            email=fields["email"].strip(),
            title=fields.get("title"),
            manager_id=fields.get("manager_id"),
            status=fields["status"],
            external_refs=fields["external_refs"],
        )
        await self.uow.people.add(person)
        self._record("person.created", person.resource())
        return person

    async def update_person(self, person_id: str, patch: dict[str, Any], expected_version: int | None = None) -> Person:
        self._org(WRITE)
        _read_only(patch, PERSON_FIELDS)
        if "manager_id" in patch:
            await self.uow.people.lock_structure()
        person = await self.uow.people.get(person_id, for_update=True)
        if person is None:
            raise NotFound(f"No person {person_id}.")
        check_version(person, expected_version)
        merged = merge_patch({k: getattr(person, k) for k in PERSON_FIELDS}, patch)
        merged.setdefault("external_refs", {})
        errors = ErrorList()
        check_person(merged, errors, creating=True)
        errors.raise_if_any()
        await self._check_person_refs(merged, person.id, person)
        if merged.get("manager_id") and merged["manager_id"] != person.manager_id:
            chain = await self.uow.people.management_chain(merged["manager_id"])
            if merged["manager_id"] == person.id or person.id in {p.id for p in chain}:
                raise Conflict(f"Making {merged['manager_id']} the manager of {person.id} would make a cycle.")
        await ensure_external_refs_free(self.uow.people, merged["external_refs"], person.id, person.external_refs)
        before = person.resource()
        updated = replace(
            person,
            given_name=merged["given_name"].strip(),
            family_name=merged["family_name"].strip(),
            email=merged["email"].strip(),
            title=merged.get("title"),
            manager_id=merged.get("manager_id"),
            status=merged["status"],
            external_refs=merged["external_refs"],
        )
        changed = previous_attributes(before, updated.resource())
        if not changed:
            return person
        updated.touch(self.clock.now())
        await self.uow.people.save(updated, expected_version=person.version)
        deactivated = changed.get("status") == "active" and updated.status == "inactive"
        self._record("person.deactivated" if deactivated else "person.updated", updated.resource(), changed)
        return updated

    async def deactivate_person(self, person_id: str, expected_version: int | None = None) -> Person:
        return await self.update_person(person_id, {"status": "inactive"}, expected_version)

    async def upsert_person(self, system: str, external_id: str, fields: dict[str, Any]) -> tuple[Person, bool]:
        self._org(WRITE)
        fields = self._with_ref(fields, system, external_id)
        existing = await self.uow.people.find_by_external_ref(system, external_id)
        if existing is None:
            return await self.create_person(fields), True
        return await self.update_person(existing.id, fields), False

    async def _check_person_refs(
        self, fields: dict[str, Any], person_id: str | None, before: Person | None = None
    ) -> None:
        """The manager exists and the email is free (what the person already had was checked then)."""
        errors = ErrorList()
        if (
            fields.get("manager_id")
            and fields["manager_id"] != person_id
            and (before is None or fields["manager_id"] != before.manager_id)
            and await self.uow.people.get(fields["manager_id"]) is None
        ):
            errors.add("/manager_id", "no such person in this organization", "not_found")
        errors.raise_if_any()
        if fields.get("manager_id") == person_id and person_id is not None:
            raise Conflict("A person cannot be their own manager.")
        if before is not None and email_key(fields["email"]) == email_key(before.email):
            return
        holder = await self.uow.people.find_by_email(email_key(fields["email"]))
        if holder is not None and holder.id != person_id:
            raise Conflict(f"The email {fields['email']} belongs to {holder.id}.")

    async def reports(self, person_id: str, recursive: bool, as_of: datetime | None = None) -> list[Person]:
        await self.get_person(person_id, as_of)
        if as_of is None:
            return await self.uow.people.reports(person_id, recursive)
        return tree.reports(await self.uow.people.at(as_of), person_id, recursive)

    async def management_chain(self, person_id: str, as_of: datetime | None = None) -> list[Person]:
        await self.get_person(person_id, as_of)
        if as_of is None:
            return await self.uow.people.management_chain(person_id)
        return tree.management_chain(await self.uow.people.at(as_of), person_id)

    # --- memberships ---------------------------------------------------------------------------------

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
        return _page(
            [m for m in await self.uow.memberships.at(as_of) if _matches(m, query) and m.active_on(day)], query
        )

    async def create_membership(self, fields: dict[str, Any]) -> Membership:
        org = self._org(WRITE)
        fields = {"external_refs": {}, "kind": "member", "primary": False, **fields}
        errors = ErrorList()
        check_membership(fields, errors, creating=True)
        errors.raise_if_any()
        person = await self.uow.people.get(fields["person_id"], for_update=True)  # serializes primary checks
        if person is None:
            errors.add("/person_id", "no such person in this organization", "not_found")
        if await self.uow.units.get(fields["unit_id"]) is None:
            errors.add("/unit_id", "no such unit in this organization", "not_found")
        errors.raise_if_any()
        await ensure_external_refs_free(self.uow.memberships, fields["external_refs"], None)
        now = self.clock.now()
        m = Membership(
            id=new_id("mbr"),
            organization_id=org,
            created_at=now,
            updated_at=now,
            person_id=fields["person_id"],
            unit_id=fields["unit_id"],
            title=fields.get("title"),
            kind=fields["kind"],
            primary=fields["primary"],
            starts_on=fields.get("starts_on"),
            ends_on=fields.get("ends_on"),
            external_refs=fields["external_refs"],
        )
        await self._check_one_primary(m)
        await self.uow.memberships.add(m)
        self._record("membership.created", m.resource())
        return m

    async def update_membership(
        self, membership_id: str, patch: dict[str, Any], expected_version: int | None = None
    ) -> Membership:
        self._org(WRITE)
        _read_only(patch, MEMBERSHIP_MUTABLE)
        current = await self.uow.memberships.get(membership_id)
        if current is None:
            raise NotFound(f"No membership {membership_id}.")
        await self.uow.people.get(current.person_id, for_update=True)
        m = await self.uow.memberships.get(membership_id, for_update=True)
        assert m is not None
        check_version(m, expected_version)
        merged = {k: getattr(m, k) for k in MEMBERSHIP_FIELDS}
        for k, v in patch.items():  # dates are not objects: a merge patch replaces them
            merged[k] = merge_patch(merged[k], v) if k == "external_refs" else v
        merged["external_refs"] = merged.get("external_refs") or {}
        if merged.get("kind") is None or merged.get("primary") is None:
            raise Invalid(
                "`kind` and `primary` cannot be null.",
                [
                    FieldError(f"/{k}", "must not be null", "required")
                    for k in ("kind", "primary")
                    if merged.get(k) is None
                ],
            )
        errors = ErrorList()
        check_membership(merged, errors, creating=True)
        errors.raise_if_any()
        await ensure_external_refs_free(self.uow.memberships, merged["external_refs"], m.id, m.external_refs)
        before = m.resource()
        updated = replace(
            m,
            title=merged.get("title"),
            kind=merged["kind"],
            primary=merged["primary"],
            starts_on=merged.get("starts_on"),
            ends_on=merged.get("ends_on"),
            external_refs=merged["external_refs"],
        )
        changed = previous_attributes(before, updated.resource())
        if not changed:
            return m
        await self._check_one_primary(updated)
        updated.touch(self.clock.now())
        await self.uow.memberships.save(updated, expected_version=m.version)
        ended = "ends_on" in changed and updated.ends_on is not None and updated.ends_on <= self.clock.now().date()
        self._record("membership.ended" if ended else "membership.updated", updated.resource(), changed)
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

    async def _check_one_primary(self, m: Membership) -> None:
        if not m.primary:
            return
        for other in await self.uow.memberships.of_people([m.person_id]):
            if other.id != m.id and other.primary and periods_overlap(other, m):
                raise Conflict(f"{m.person_id} already has a primary membership ({other.id}) in that period.")


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
        out: dict[str, list[Unit]] = {}
        for u in sorted(found, key=lambda u: u.id):
            out.setdefault(u.parent_id or "", []).append(u)
        return out

    async def reports(self, person_ids: list[str]) -> dict[str, list[Person]]:
        wanted = set(person_ids)
        found = (
            await self.uow.people.reports_of(person_ids)
            if self.as_of is None
            else [p for p in await self.uow.people.at(self.as_of) if p.manager_id in wanted]
        )
        out: dict[str, list[Person]] = {}
        for p in sorted(found, key=lambda p: p.id):
            out.setdefault(p.manager_id or "", []).append(p)
        return out

    async def memberships_of_units(self, unit_ids: list[str]) -> dict[str, list[Membership]]:
        """The memberships that are running on the day (today, or the day of `as_of`)."""
        wanted = set(unit_ids)
        found = (
            await self.uow.memberships.of_units(unit_ids)
            if self.as_of is None
            else [m for m in await self.uow.memberships.at(self.as_of) if m.unit_id in wanted]
        )
        out: dict[str, list[Membership]] = {}
        for m in sorted(found, key=lambda m: m.id):
            if m.active_on(self.day):
                out.setdefault(m.unit_id, []).append(m)
        return out

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
        out: dict[str, list[Membership]] = {}
        for m in sorted(found, key=lambda m: m.id):
            out.setdefault(m.person_id, []).append(m)
        return out
