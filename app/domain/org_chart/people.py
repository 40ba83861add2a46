"""People's use cases: who they are, their manager (never a cycle), the name they sign in by (one person's),
their reports and their management chain."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from app.domain.changes import ensure_external_refs_free
from app.domain.errors import Conflict, ErrorList
from app.domain.fields import stored
from app.domain.model import ListQuery, Page
from app.domain.org_chart import tree
from app.domain.org_chart.common import PERSON_FIELDS, WRITE, matches_query, page_in_memory, refuse_read_only
from app.domain.org_chart.memberships import MembershipUseCases
from app.domain.org_chart.model import PERSON_DECLARED, PERSON_DEFAULTS, Person, check_person, key_or_none
from app.domain.patch import cleared, patched, previous_attributes
from app.domain.reads import read_one, read_page


class PeopleUseCases(MembershipUseCases):
    async def get_person(self, person_id: str, as_of: datetime | None = None) -> Person:
        self.readable_organization(self.principal)
        return await read_one(self.uow.people, person_id, as_of, "person")

    async def list_people(self, query: ListQuery, as_of: datetime | None = None) -> Page[Person]:
        self.readable_organization(self.principal)
        return await read_page(self.uow.people, query, as_of)

    async def create_person(self, fields: dict[str, Any]) -> Person:
        self._org(WRITE)
        fields = {**PERSON_DEFAULTS, **{k: v for k, v in fields.items() if v is not None}}  # null: the default
        errors = ErrorList()
        check_person(fields, errors, creating=True)
        errors.raise_if_any()
        await self._check_person_refs(fields, None)
        await ensure_external_refs_free(self.uow.people, fields["external_refs"], None)
        person = self._new(Person, "person", **stored(fields, PERSON_DECLARED))
        await self._add(self.uow.people, person, "person.created")
        return person

    async def update_person(
        self,
        person_id: str,
        patch: dict[str, Any],
        expected_version: int | None = None,
        scim_ended: bool | None = None,
    ) -> Person:
        """`scim_ended`: whether an identity provider ended its link (set by provisioning only)."""
        self._org(WRITE)
        refuse_read_only(patch, PERSON_FIELDS)
        if "manager_id" in patch:
            await self.uow.people.lock_structure()
        person = await self._to_change(self.uow.people, person_id, "person", expected_version)
        merged = cleared(patched(person, patch, PERSON_FIELDS), external_refs={})  # null clears them
        errors = ErrorList()
        check_person(merged, errors, creating=True)
        errors.raise_if_any()
        await self._check_person_refs(merged, person.id, person)
        if merged.get("manager_id") and merged["manager_id"] != person.manager_id:
            chain = await self.uow.people.management_chain(merged["manager_id"])
            if merged["manager_id"] == person.id or person.id in {p.id for p in chain}:
                raise Conflict(
                    f"Making {merged['manager_id']} the manager of {person.id} would make a cycle.", field="/manager_id"
                )
        await ensure_external_refs_free(self.uow.people, merged["external_refs"], person.id, person.external_refs)
        before = person.resource()
        ended = person.scim_ended if scim_ended is None else scim_ended
        updated = replace(person, **stored(merged, PERSON_DECLARED, patch), scim_ended=ended)
        changed = previous_attributes(before, updated.resource())
        if not changed and updated.scim_ended == person.scim_ended:
            return person
        updated.touch(self.clock.now())
        await self.uow.people.save(updated, expected_version=person.version)
        if not changed:
            return updated  # only the link's state changed (a re-link of an unchanged person): no event
        deactivated = changed.get("status") == "active" and updated.status == "inactive"
        self._record("person.deactivated" if deactivated else "person.updated", updated.resource(), changed)
        return updated

    async def deactivate_person(self, person_id: str, expected_version: int | None = None) -> Person:
        return await self.update_person(person_id, {"status": "inactive"}, expected_version)

    async def upsert_person(self, system: str, external_id: str, fields: dict[str, Any]) -> tuple[Person, bool]:
        self._org(WRITE)
        return await self._upsert(
            self.uow.people, system, external_id, fields, self.create_person,
            lambda e, p: self.update_person(e.id, p), PERSON_DECLARED,
            defaults=PERSON_DEFAULTS,  # the status stays when left out (it is `kept`)
        )  # fmt: skip

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
            raise Conflict("A person cannot be their own manager.", field="/manager_id")
        email, user_name = key_or_none(fields.get("email")), key_or_none(fields.get("user_name"))
        if email is not None and (before is None or email != key_or_none(before.email)):
            holder = await self.uow.people.find_by_email(email)
            if holder is not None and holder.id != person_id:
                raise Conflict(f"The email {fields['email']} belongs to {holder.id}.", field="/email")
        # The name a person signs in by (their user name, else their email) is one person's only; a unique
        # index holds it under races, this says which field and whose.
        sign_in = user_name or email
        if sign_in is not None and (before is None or sign_in != key_or_none(before.user_name or before.email)):
            holder = await self.uow.people.find_by_sign_in_name(sign_in)
            if holder is not None and holder.id != person_id:
                raise Conflict(f"{holder.id} signs in as {sign_in}.", field="/user_name" if user_name else "/email")

    async def reports(self, person_id: str, recursive: bool, as_of: datetime | None = None) -> list[Person]:
        await self.get_person(person_id, as_of)
        if as_of is None:
            return await self.uow.people.reports(person_id, recursive)
        return tree.reports(await self.uow.people.at(as_of), person_id, recursive)

    async def reports_page(
        self, person_id: str, recursive: bool, query: ListQuery, as_of: datetime | None = None
    ) -> Page[Person]:
        return page_in_memory(
            [p for p in await self.reports(person_id, recursive, as_of) if matches_query(p, query)], query
        )

    async def management_chain(self, person_id: str, as_of: datetime | None = None) -> list[Person]:
        await self.get_person(person_id, as_of)
        if as_of is None:
            return await self.uow.people.management_chain(person_id)
        return tree.management_chain(await self.uow.people.at(as_of), person_id)
