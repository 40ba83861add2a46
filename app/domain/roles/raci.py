"""RACI entries (at most one A per subject), and the reads that resolve them to people: a subject's
people, a unit's matrix, a person's responsibilities and feed. `Roles` is every use case of the area."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.domain.changes import (
    ensure_external_refs_free,
    refuse_nulls,
    refuse_read_only,
)
from app.domain.errors import Conflict, ErrorList, NotFound
from app.domain.events import Event
from app.domain.feed import EventFeed
from app.domain.model import ListQuery, Page
from app.domain.patch import patched
from app.domain.roles.model import (
    LETTERS,
    PARTY_TYPES,
    RACI_DEFAULTS,
    RACI_FIELDS,
    RACI_WRITABLE,
    SUBJECT_TYPES,
    RaciEntry,
    check_raci,
)
from app.domain.roles.resolve import Resolution, Resolver, subject_type_of
from app.domain.roles.service import REPOSITORY, SUBJECT_SCOPE, WRITE, AssignmentUseCases
from app.domain.roles.views import Matrix, Responsibilities, matrix, responsibilities, subjects_of_person


class RaciUseCases(AssignmentUseCases):
    async def get_raci_entry(self, entry_id: str) -> RaciEntry:
        self.readable()
        found = await self.uow.raci.get(entry_id)
        if found is None:
            raise NotFound(f"No RACI entry {entry_id}.")
        return found

    async def list_raci_entries(self, query: ListQuery) -> Page[RaciEntry]:
        self.readable()
        errors = ErrorList()
        for name, choices in (
            ("letter", LETTERS),
            ("subject_type", SUBJECT_TYPES),
            ("party_type", PARTY_TYPES),
            ("inherit", ("none", "append")),
        ):
            if name in query.filters and query.filters[name] not in choices:
                errors.add(f"/{name}", f"must be one of: {', '.join(choices)}")
        errors.raise_if_any("The filters are invalid.")
        return await self.uow.raci.list(query)

    async def create_raci_entry(self, fields: dict[str, Any]) -> RaciEntry:
        self._org(WRITE)
        fields = {**RACI_DEFAULTS, **{k: v for k, v in fields.items() if v is not None}}
        check_raci(fields, creating=True)
        await self._check_subject_and_party(fields)
        await ensure_external_refs_free(self.uow.raci, fields["external_refs"], None)
        await self._check_unique(fields, None)
        entry = self._new(RaciEntry, "raci", **{f.name: fields[f.name] for f in RACI_FIELDS})
        await self._add(self.uow.raci, entry, "raci.created")
        return entry

    async def update_raci_entry(
        self, entry_id: str, patch: dict[str, Any], expected_version: int | None = None
    ) -> RaciEntry:
        self._org(WRITE)
        refuse_read_only(patch, RACI_WRITABLE)
        refuse_nulls(patch, RACI_FIELDS)
        entry = await self._to_change(self.uow.raci, entry_id, "RACI entry", expected_version)
        merged = patched(entry, patch, [f.name for f in RACI_FIELDS])
        check_raci(merged, creating=False)
        await ensure_external_refs_free(self.uow.raci, merged["external_refs"], entry.id, entry.external_refs)
        await self._check_unique(merged, entry)
        changed = replace(entry, **{k: merged[k] for k in RACI_WRITABLE})
        previous = await self._save_changes(self.uow.raci, entry, changed)
        if not previous:
            return entry
        self._record("raci.updated", changed.resource(), previous)
        return changed

    async def delete_raci_entry(self, entry_id: str, expected_version: int | None = None) -> None:
        self._org(WRITE)
        entry = await self._to_change(self.uow.raci, entry_id, "RACI entry", expected_version)
        await self.uow.raci.delete(entry)
        self._record("raci.deleted", entry.resource())

    async def upsert_raci_entry(self, system: str, external_id: str, fields: dict[str, Any]) -> tuple[RaciEntry, bool]:
        self._org(WRITE)
        return await self._upsert(
            self.uow.raci, system, external_id, fields, self.create_raci_entry,
            lambda e, p: self.update_raci_entry(e.id, p), RACI_FIELDS,
            fixed=("subject_type", "subject_id", "party_type", "party_id"), defaults=RACI_DEFAULTS,
        )  # fmt: skip

    async def _check_subject_and_party(self, fields: dict[str, Any]) -> None:
        """Both exist, each read under its row lock: a deletion of either (which takes the same lock, then
        deletes the entries that name the object) waits for this entry, or this entry finds it gone."""
        errors = ErrorList()
        pairs = [("subject_id", fields["subject_type"]), ("party_id", fields["party_type"])]
        for name, kind in sorted(pairs, key=lambda pair: fields[pair[0]]):  # one order: no two entries deadlock
            repo = getattr(self.uow, REPOSITORY[kind])
            if await repo.get(fields[name], for_update=True) is None:
                errors.add(f"/{name}", f"no such {kind.replace('_', ' ')} in this organization", "not_found")
        errors.raise_if_any()

    async def _check_unique(self, fields: dict[str, Any], before: RaciEntry | None) -> None:
        """At most one A per subject; a party holds a letter on a subject once. Checked here for a clear
        answer; the table's unique indexes hold it when two requests race (the second is a 409 too)."""
        if before is not None and before.letter == fields["letter"]:
            return
        for other in await self.uow.raci.of_subjects([fields["subject_id"]]):
            if before is not None and other.id == before.id:
                continue
            if fields["letter"] == "A" and other.letter == "A":
                raise Conflict(
                    f"{fields['subject_id']} already has an accountable (A): {other.id} ({other.party_type} "
                    f"{other.party_id}). Change or delete that entry first.",
                    field="/letter",
                )
            if other.party_id == fields["party_id"] and other.letter == fields["letter"]:
                raise Conflict(
                    f"{other.party_id} already holds {fields['letter']} on {fields['subject_id']} ({other.id}).",
                    field="/letter",
                )


class Roles(RaciUseCases):
    """Every use case of roles and RACI, for one caller."""

    async def resolve(self, subject_id: str) -> Resolution:
        """Names people (org:read) and shows the subject's title: the subject's own read scope too."""
        self.readable()
        self.principal.require("org:read")
        kind = subject_type_of(subject_id)
        if kind is not None:
            self.principal.require(SUBJECT_SCOPE[kind])
        return await Resolver(self.uow, self.clock.now().date()).resolve_one(subject_id)

    async def matrix(self, unit_id: str) -> Matrix:
        """Names people and units (org:read); rows of objectives and key results need objectives:read,
        rows of handoffs handoffs:read: the caller sees the rows of the areas it may read."""
        self.readable()
        self.principal.require("org:read")
        kinds = {k for k, scope in SUBJECT_SCOPE.items() if self.principal.has(scope)}
        return await matrix(self.uow, self.clock.now().date(), unit_id, kinds)

    async def responsibilities(self, person_id: str) -> Responsibilities:
        self.readable()
        if await self.uow.people.get(person_id) is None:
            raise NotFound(f"No person {person_id}.")
        return (await responsibilities(self.uow, self.clock.now().date(), [person_id]))[person_id]

    async def feed(self, person_id: str, query: ListQuery, types: list[str] | None = None) -> Page[Event]:
        """The events of the subjects where the person is R, A, C or I, resolved now; read with the event
        log's own rules (events:read)."""
        self.principal.require("events:read")
        self.principal.require_organization()
        if await self.uow.people.get(person_id) is None:
            raise NotFound(f"No person {person_id}.")
        subjects = await subjects_of_person(self.uow, self.clock.now().date(), person_id)
        return await EventFeed(self.uow, self.principal).of_subjects(sorted(subjects), query, types)
