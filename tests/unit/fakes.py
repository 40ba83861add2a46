"""In-memory fakes of the domain's ports, for fast tests of the rules."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from app.domain.api_clients.model import ApiClient, ClientCredentials
from app.domain.errors import PreconditionFailed
from app.domain.events import Event
from app.domain.model import ListQuery, Page
from app.domain.organizations.model import Organization

E = TypeVar("E")


class FakeClock:
    def __init__(self) -> None:
        self.t = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        self.t += timedelta(milliseconds=1)
        return self.t


class MemoryRepository(Generic[E]):
    def __init__(self) -> None:
        self.items: dict[str, Any] = {}

    async def get(self, object_id: str, *, for_update: bool = False) -> E | None:
        item = self.items.get(object_id)
        return copy.deepcopy(item)

    async def list(self, query: ListQuery) -> Page[E]:
        ids = sorted(i for i in self.items if not query.after or i > query.after)
        chosen = [copy.deepcopy(self.items[i]) for i in ids[: query.limit]]
        return Page(chosen, ids[query.limit - 1] if len(ids) > query.limit else None)

    async def add(self, entity: E) -> None:
        self.items[entity.id] = copy.deepcopy(entity)  # type: ignore[attr-defined]

    async def save(self, entity: E, *, expected_version: int) -> None:
        if self.items[entity.id].version != expected_version:  # type: ignore[attr-defined]
            raise PreconditionFailed("moved")
        self.items[entity.id] = copy.deepcopy(entity)  # type: ignore[attr-defined]

    async def delete(self, entity: E) -> None:
        del self.items[entity.id]  # type: ignore[attr-defined]

    async def find_by_external_ref(self, system: str, external_id: str) -> E | None:
        for item in self.items.values():
            if item.external_refs.get(system) == external_id:
                return copy.deepcopy(item)  # type: ignore[no-any-return]
        return None


class MemoryOrgChartRepository(MemoryRepository[E]):
    """What the org chart's repositories answer, from memory (the present only: no history)."""

    async def lock_structure(self) -> None:
        return None

    async def lock_primaries(self) -> None:
        return None

    async def by_system(self, system: str) -> dict[str, E]:
        return {x.external_refs[system]: copy.deepcopy(x) for x in self.items.values() if system in x.external_refs}

    async def links(self, link: str) -> dict[str, str | None]:
        return {i: getattr(x, link) for i, x in self.items.items()}

    async def add_many(self, entities: list[E]) -> None:
        for entity in entities:
            await self.add(entity)

    async def save_many(self, entities: list[E]) -> None:
        for entity in entities:
            await self.save(entity, expected_version=entity.version - 1)  # type: ignore[attr-defined]

    async def get_many(self, ids: list[str]) -> list[E]:
        return [copy.deepcopy(self.items[i]) for i in sorted(set(ids)) if i in self.items]

    async def in_column(self, column: str, values: list[str]) -> list[E]:
        wanted = set(values)
        return [copy.deepcopy(x) for _, x in sorted(self.items.items()) if getattr(x, column) in wanted]

    async def _up(self, start: str, link: str) -> list[Any]:
        out, seen = [], {start}
        current = getattr(self.items.get(start), link, None)
        while current and current not in seen and current in self.items:
            seen.add(current)
            out.append(copy.deepcopy(self.items[current]))
            current = getattr(self.items[current], link)
        return out

    def _below(self, parent: str, link: str) -> list[Any]:
        return sorted((copy.deepcopy(x) for x in self.items.values() if getattr(x, link) == parent), key=lambda x: x.id)


class MemoryUnits(MemoryOrgChartRepository[Any]):
    async def ancestors(self, unit_id: str) -> list[Any]:
        return await self._up(unit_id, "parent_id")

    async def ancestors_of(self, unit_ids: list[str]) -> dict[str, list[Any]]:
        return {u: await self._up(u, "parent_id") for u in unit_ids}

    async def has_children(self, unit_id: str) -> bool:
        return bool(self._below(unit_id, "parent_id"))

    async def children_of(self, unit_ids: list[str]) -> list[Any]:
        return [c for u in unit_ids for c in self._below(u, "parent_id")]

    async def descendants(self, unit_id: str, max_depth: int | None) -> list[tuple[Any, int]]:
        out, level, depth = [], [unit_id], 0
        while level and (max_depth is None or depth < max_depth):
            depth += 1
            level_units = [c for u in level for c in self._below(u, "parent_id")]
            out += [(u, depth) for u in level_units]
            level = [u.id for u in level_units]
        return out


def _key(value: str | None) -> str | None:
    return None if value is None else value.strip().lower()


class MemoryPeople(MemoryOrgChartRepository[Any]):
    async def emails(self, keys: list[str]) -> list[tuple[str, str]]:
        wanted = set(keys)
        found = {(k, p.id) for p in self.items.values() for k in (_key(p.email), _key(p.user_name or p.email))}
        return sorted((k, i) for k, i in found if k in wanted)

    async def find_by_email(self, email: str) -> Any:
        return self._first(lambda p: _key(p.email) == _key(email))

    async def find_by_sign_in_name(self, key: str) -> Any:
        return self._first(lambda p: _key(p.user_name or p.email) == key)

    def _first(self, test: Any) -> Any:
        return next((copy.deepcopy(p) for p in sorted(self.items.values(), key=lambda p: p.id) if test(p)), None)

    async def management_chain(self, person_id: str) -> list[Any]:
        return await self._up(person_id, "manager_id")

    async def reports(self, person_id: str, recursive: bool) -> list[Any]:
        direct = self._below(person_id, "manager_id")
        if not recursive:
            return direct
        out = list(direct)
        for p in direct:
            out += await self.reports(p.id, True)
        return out

    async def reports_of(self, manager_ids: list[str]) -> list[Any]:
        return [p for m in manager_ids for p in self._below(m, "manager_id")]


class MemoryMemberships(MemoryOrgChartRepository[Any]):
    async def of_people(self, person_ids: list[str]) -> list[Any]:
        return sorted((copy.deepcopy(m) for m in self.items.values() if m.person_id in person_ids), key=lambda m: m.id)

    async def of_units(self, unit_ids: list[str]) -> list[Any]:
        return sorted((copy.deepcopy(m) for m in self.items.values() if m.unit_id in unit_ids), key=lambda m: m.id)


class MemoryObjectives(MemoryOrgChartRepository[Any]):
    """Objectives, enough for the org chart's rules: a unit that owns or contributes to one stays."""

    async def list(self, query: ListQuery) -> Page[Any]:
        unit = query.filters.get("involves_unit_id")
        found = [
            o
            for o in (await super().list(replace(query, limit=10**9))).items
            if unit is None or unit == o.owner_unit_id or unit in o.contributor_unit_ids
        ]
        return Page(found[: query.limit], None)


class MemoryRoleAssignments(MemoryOrgChartRepository[Any]):
    async def of_roles(self, role_ids: list[str]) -> list[Any]:
        return await self.in_column("role_id", role_ids)

    async def of_people(self, person_ids: list[str]) -> list[Any]:
        return await self.in_column("person_id", person_ids)


class MemoryRaci(MemoryOrgChartRepository[Any]):
    async def of_subjects(self, subject_ids: list[str]) -> list[Any]:
        return await self.in_column("subject_id", subject_ids)

    async def of_parties(self, party_ids: list[str]) -> list[Any]:
        return await self.in_column("party_id", party_ids)

    async def naming(self, object_ids: list[str]) -> list[Any]:
        wanted = set(object_ids)
        return [copy.deepcopy(x) for x in self.items.values() if x.subject_id in wanted or x.party_id in wanted]


class MemoryJobs:
    """Timed jobs by (kind, subject): when each is due."""

    def __init__(self) -> None:
        self.due: dict[tuple[str, str], datetime] = {}

    async def schedule(self, kind: str, subject_id: str, due_at: datetime) -> None:
        self.due[(kind, subject_id)] = due_at

    async def cancel(self, kind: str, subject_id: str) -> None:
        self.due.pop((kind, subject_id), None)


class MemoryOrganizations:
    def __init__(self) -> None:
        self.items: dict[str, Organization] = {}

    async def get(self, organization_id: str) -> Organization | None:
        return self.items.get(organization_id)

    async def get_by_slug(self, slug: str) -> Organization | None:
        return next((o for o in self.items.values() if o.slug == slug), None)

    async def list(self, query: ListQuery) -> Page[Organization]:
        return Page(sorted(self.items.values(), key=lambda o: o.id)[: query.limit], None)

    async def add(self, organization: Organization) -> None:
        self.items[organization.id] = organization


class MemoryCredentials:
    def __init__(self, clients: MemoryRepository[ApiClient]) -> None:
        self.clients = clients

    async def find_client(self, client_id: str) -> ClientCredentials | None:
        c = self.clients.items.get(client_id)
        return None if c is None else ClientCredentials(c.id, c.organization_id, c.scopes, c.secret_hash)


class MemoryEvents:
    def __init__(self) -> None:
        self.items: list[Event] = []

    async def list(self, query: ListQuery, types: list[str] | None = None) -> Page[Event]:
        return Page([e for e in self.items if not types or e.type in types], None)

    async def get(self, event_id: str) -> Event | None:
        return next((e for e in self.items if e.id == event_id), None)


@dataclass
class FakeUnitOfWork:
    organizations: MemoryOrganizations = field(default_factory=MemoryOrganizations)
    api_clients: MemoryRepository[ApiClient] = field(default_factory=MemoryRepository)
    events: MemoryEvents = field(default_factory=MemoryEvents)
    units: MemoryUnits = field(default_factory=MemoryUnits)
    people: MemoryPeople = field(default_factory=MemoryPeople)
    memberships: MemoryMemberships = field(default_factory=MemoryMemberships)
    objectives: MemoryObjectives = field(default_factory=MemoryObjectives)
    key_results: MemoryOrgChartRepository[Any] = field(default_factory=MemoryOrgChartRepository)
    handoffs: MemoryOrgChartRepository[Any] = field(default_factory=MemoryOrgChartRepository)
    roles: MemoryOrgChartRepository[Any] = field(default_factory=MemoryOrgChartRepository)
    role_assignments: MemoryRoleAssignments = field(default_factory=MemoryRoleAssignments)
    raci: MemoryRaci = field(default_factory=MemoryRaci)
    jobs: MemoryJobs = field(default_factory=MemoryJobs)
    staged: list[Event] = field(default_factory=list)

    @property
    def credentials(self) -> MemoryCredentials:
        return MemoryCredentials(self.api_clients)

    def record(self, event: Event) -> None:
        self.staged.append(event)
