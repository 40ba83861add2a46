"""What the core needs from the outside world, as Protocols. app/repo implements them on SQL;
tests/unit implements them in memory."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

from app.domain.events import Event
from app.domain.model import ListQuery, Page

if TYPE_CHECKING:
    from app.domain.api_clients.model import ApiClient, ClientCredentials
    from app.domain.organizations.model import Organization

E = TypeVar("E")


class Clock(Protocol):
    def now(self) -> datetime: ...


class Repository(Protocol[E]):
    """A collection of one organization's objects. It cannot see another organization's."""

    async def get(self, object_id: str, *, for_update: bool = False) -> E | None: ...
    async def list(self, query: ListQuery) -> Page[E]: ...
    async def add(self, entity: E) -> None: ...
    async def save(self, entity: E, *, expected_version: int) -> None:
        """Write the entity back; PreconditionFailed when its stored version is no longer expected_version."""
        ...

    async def delete(self, entity: E) -> None: ...
    async def find_by_external_ref(self, system: str, external_id: str) -> E | None: ...


class OrganizationRepository(Protocol):
    async def get(self, organization_id: str) -> Organization | None: ...
    async def get_by_slug(self, slug: str) -> Organization | None: ...
    async def list(self, query: ListQuery) -> Page[Organization]: ...
    async def add(self, organization: Organization) -> None: ...


class CredentialStore(Protocol):
    """The one lookup that precedes tenancy: which organization an API client belongs to."""

    async def find_client(self, client_id: str) -> ClientCredentials | None: ...


class EventLog(Protocol):
    async def list(self, query: ListQuery, types: list[str] | None = None) -> Page[Event]: ...
    async def get(self, event_id: str) -> Event | None: ...


class UnitOfWork(Protocol):
    @property
    def organizations(self) -> OrganizationRepository: ...
    @property
    def api_clients(self) -> Repository[ApiClient]: ...
    @property
    def credentials(self) -> CredentialStore: ...
    @property
    def events(self) -> EventLog: ...

    def record(self, event: Event) -> None:
        """Stage an event; it is written in the same transaction as the change, at commit."""
        ...
