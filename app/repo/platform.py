"""The platform's repositories: organizations, the credential lookup that precedes tenancy, and the
event log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, bindparam, delete, func, insert, select

from app.domain.api_clients.model import ClientCredentials
from app.domain.events import Event, subjects_of
from app.domain.model import ListQuery, Page
from app.domain.organizations.model import Organization
from app.repo.repositories import BATCH, _chunks, paged, table, unique_violation_is_conflict
from app.repo.sql import ORG, CrossTenantWrite, Sql, any_of, org_criterion
from app.repo.tables import (
    ApiClientRow,
    CredentialRevocationRow,
    EventRow,
    EventSubjectRow,
    HeldEventRow,
    OrganizationRow,
    PersonRow,
)

_ORG = table(OrganizationRow)
_ORG_COLUMNS = (
    _ORG.c.id,
    _ORG.c.name,
    _ORG.c.slug,
    _ORG.c.created_at,
    _ORG.c.updated_at,
    _ORG.c.version,
    _ORG.c.time_zone,
)
# The organizations table is the platform's, not a tenant's: it is read by id or slug.
ORG_GET = select(*_ORG_COLUMNS).where(_ORG.c.id == bindparam("id"))
ORG_BY_SLUG = select(*_ORG_COLUMNS).where(_ORG.c.slug == bindparam("slug"))
ORG_INSERT = insert(_ORG).values({c.name: bindparam(c.name, type_=c.type) for c in _ORG_COLUMNS})


@cache
def _org_list(after: bool, since: bool) -> Any:
    stmt = select(*_ORG_COLUMNS).order_by(_ORG.c.id).limit(bindparam("_limit", type_=Integer()))
    if after:
        stmt = stmt.where(_ORG.c.id > bindparam("_after"))
    if since:
        stmt = stmt.where(_ORG.c.updated_at >= bindparam("_since", type_=_ORG.c.updated_at.type))
    return stmt


class OrganizationRepository:
    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    @staticmethod
    def _entity(r: tuple[Any, ...]) -> Organization:
        return Organization(
            id=r[0],
            organization_id=r[0],
            name=r[1],
            slug=r[2],
            created_at=r[3],
            updated_at=r[4],
            version=r[5],
            time_zone=r[6],
        )

    async def get(self, organization_id: str) -> Organization | None:
        found = await self.sql.row(ORG_GET, {"id": organization_id})
        return None if found is None else self._entity(found)

    async def get_by_slug(self, slug: str) -> Organization | None:
        found = await self.sql.row(ORG_BY_SLUG, {"slug": slug})
        return None if found is None else self._entity(found)

    async def list(self, query: ListQuery) -> Page[Organization]:
        params: dict[str, Any] = {"_limit": query.limit + 1, "_after": query.after, "_since": query.updated_since}
        rows = await self.sql.rows(_org_list(bool(query.after), query.updated_since is not None), params)
        return paged(rows, query.limit, self._entity, lambda r: str(r[0]))

    async def add(self, organization: Organization) -> None:
        async with unique_violation_is_conflict(f"The slug {organization.slug!r} is taken."):
            await self.sql.run(
                ORG_INSERT,
                {
                    "id": organization.id,
                    "name": organization.name,
                    "slug": organization.slug,
                    "created_at": organization.created_at,
                    "updated_at": organization.updated_at,
                    "version": organization.version,
                    "time_zone": organization.time_zone,
                },
            )


_CLIENTS = table(ApiClientRow)
# Unscoped by design: it runs before the caller's organization is known, in the system unit of work.
CLIENT_CREDENTIALS = select(
    _CLIENTS.c.id,
    _CLIENTS.c.organization_id,
    _CLIENTS.c.scopes,
    _CLIENTS.c.secret_hash,
    _CLIENTS.c.previous_secret_hash,
    _CLIENTS.c.previous_secret_expires_at,
).where(_CLIENTS.c.id == bindparam("id"))


class CredentialStore:
    """The one lookup that precedes tenancy: which organization an API client belongs to."""

    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    async def find_client(self, client_id: str) -> ClientCredentials | None:
        found = await self.sql.row(CLIENT_CREDENTIALS, {"id": client_id})
        if found is None:
            return None
        return ClientCredentials(found[0], found[1], list(found[2]), found[3], found[4], found[5])


_EVENTS = table(EventRow)
_EVENT_COLUMNS = (
    _EVENTS.c.id,
    _EVENTS.c.type,
    _EVENTS.c.organization_id,
    _EVENTS.c.occurred_at,
    _EVENTS.c.actor,
    _EVENTS.c.data,
)
EVENT_INSERT = insert(_EVENTS).values(
    id=bindparam("id"),
    type=bindparam("type"),
    organization_id=bindparam(ORG),
    occurred_at=bindparam("occurred_at", type_=_EVENTS.c.occurred_at.type),
    actor=bindparam("actor", type_=_EVENTS.c.actor.type),
    data=bindparam("data", type_=_EVENTS.c.data.type),
)
_HELD = table(HeldEventRow)
HELD_ADD = insert(_HELD).values(
    id=bindparam("id"),
    organization_id=bindparam(ORG),
    release_after=bindparam("release_after", type_=_HELD.c.release_after.type),
    type=bindparam("type"),
    data=bindparam("data", type_=_HELD.c.data.type),
)
HELD_DUE = (
    select(_HELD.c.id, _HELD.c.type, _HELD.c.data)
    .where(org_criterion(_HELD), _HELD.c.release_after <= bindparam("now", type_=_HELD.c.release_after.type))
    .with_for_update()
)
HELD_DROP = delete(_HELD).where(org_criterion(_HELD), any_of(_HELD.c.id, "ids"))
HELD_NEXT = select(func.min(_HELD.c.release_after)).where(org_criterion(_HELD))
_SUBJECTS = table(EventSubjectRow)
EVENT_SUBJECT_INSERT = insert(_SUBJECTS).values(
    organization_id=bindparam(ORG), subject_id=bindparam("subject_id"), event_id=bindparam("event_id")
)
EVENT_GET = select(*_EVENT_COLUMNS).where(org_criterion(_EVENTS), _EVENTS.c.id == bindparam("id"))


@cache
def _event_list(after: bool, since: bool, types: bool, subjects: bool = False) -> Any:
    stmt = (
        select(*_EVENT_COLUMNS)
        .where(org_criterion(_EVENTS))
        .order_by(_EVENTS.c.id)
        .limit(bindparam("_limit", type_=Integer()))
    )
    if subjects:
        about = select(_SUBJECTS.c.event_id).where(
            org_criterion(_SUBJECTS), any_of(_SUBJECTS.c.subject_id, "_subjects")
        )
        stmt = stmt.where(_EVENTS.c.id.in_(about))
    if after:
        stmt = stmt.where(_EVENTS.c.id > bindparam("_after"))
    if since:
        stmt = stmt.where(_EVENTS.c.occurred_at >= bindparam("_since", type_=_EVENTS.c.occurred_at.type))
    if types:
        stmt = stmt.where(any_of(_EVENTS.c.type, "_types"))
    return stmt


class EventLog:
    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    @staticmethod
    def _entity(r: tuple[Any, ...]) -> Event:
        data = r[5] or {}
        return Event(
            id=r[0],
            type=r[1],
            organization_id=r[2],
            occurred_at=r[3],
            actor=r[4],
            object=data.get("object", {}),
            previous_attributes=data.get("previous_attributes", {}),
            details={k: v for k, v in data.items() if k not in ("object", "previous_attributes")},
        )

    async def write(self, events: list[Event]) -> None:
        """The request's events, sent as one batch."""
        if not events:
            return
        tenant = self.sql.tenant
        if tenant and any(ev.organization_id != tenant for ev in events):
            raise CrossTenantWrite(f"a unit of work of {tenant} tried to record another organization's event")
        # An organization's creation is recorded by the platform's unit of work: each event names its own.
        rows = [
            {
                ORG: ev.organization_id,
                "id": ev.id,
                "type": ev.type,
                "occurred_at": ev.occurred_at,
                "actor": ev.actor,
                "data": ev.data,
            }
            for ev in events
        ]
        if len(rows) == 1:
            await self.sql.run(EVENT_INSERT, rows[0])
        else:
            for start in range(0, len(rows), BATCH):
                await self.sql.run_many(EVENT_INSERT, rows[start : start + BATCH])
        about = [
            {ORG: ev.organization_id, "subject_id": subject, "event_id": ev.id}
            for ev in events
            for subject in subjects_of(ev)
        ]
        for start in range(0, len(about), BATCH):
            chunk = about[start : start + BATCH]
            if len(chunk) == 1:
                await self.sql.run(EVENT_SUBJECT_INSERT, chunk[0])
            else:
                await self.sql.run_many(EVENT_SUBJECT_INSERT, chunk)

    async def hold(self, events: list[Event]) -> None:
        """Anonymous items' events, kept out of the log until their release; their actor is not kept."""
        for ev in events:
            data = {**ev.details, "object": ev.object, "previous_attributes": ev.previous_attributes}
            await self.sql.run(
                HELD_ADD,
                {
                    ORG: ev.organization_id,
                    "id": ev.id,
                    "release_after": ev.release_after,
                    "type": ev.type,
                    "data": data,
                },
            )

    async def take_held(self, now: datetime) -> tuple[Sequence[tuple[str, dict[str, Any]]], datetime | None]:
        """The held events due by `now` (type, data), removed from the hold; and when the next is due."""
        rows = await self.sql.rows(HELD_DUE, {"now": now})
        if rows:
            await self.sql.run(HELD_DROP, {"ids": [r[0] for r in rows]})
        following = await self.sql.scalar(HELD_NEXT)
        return [(str(r[1]), dict(r[2])) for r in rows], following

    async def get(self, event_id: str) -> Event | None:
        found = await self.sql.row(EVENT_GET, {"id": event_id})
        return None if found is None else self._entity(found)

    async def list(self, query: ListQuery, types: list[str] | None = None) -> Page[Event]:
        params: dict[str, Any] = {
            "_limit": query.limit + 1,
            "_after": query.after,
            "_since": query.updated_since,
            "_types": types,
        }
        stmt = _event_list(bool(query.after), query.updated_since is not None, bool(types))
        rows = await self.sql.rows(stmt, params)
        return paged(rows, query.limit, self._entity, lambda r: str(r[0]))

    async def of_subjects(
        self, subject_ids: Sequence[str], query: ListQuery, types: Sequence[str] | None
    ) -> Page[Event]:
        """The events about these subjects, oldest first: a page per chunk of subjects, merged."""
        params: dict[str, Any] = {
            "_limit": query.limit + 1,
            "_after": query.after,
            "_since": query.updated_since,
            "_types": types,
        }
        stmt = _event_list(bool(query.after), query.updated_since is not None, bool(types), True)
        found: dict[str, tuple[Any, ...]] = {}
        for chunk in _chunks(list(subject_ids)):
            for r in await self.sql.rows(stmt, {**params, "_subjects": chunk}):
                found[str(r[0])] = r
        rows = [found[k] for k in sorted(found)][: query.limit + 1]
        return paged(rows, query.limit, self._entity, lambda r: str(r[0]))


_REVOKED = table(CredentialRevocationRow)
_PEOPLE = table(PersonRow)
REVOCATIONS_SINCE = (
    select(_REVOKED.c.seq, _REVOKED.c.client_id)
    .where(_REVOKED.c.revoked_at >= bindparam("since", type_=_REVOKED.c.revoked_at.type))
    .order_by(_REVOKED.c.seq)
)
# The standing of a token's claims, read before the caller's organization is known (system unit of work).
ORG_EXISTS = select(_ORG.c.id).where(_ORG.c.id == bindparam("org"))
PERSON_EXISTS = select(_PEOPLE.c.id).where(
    _PEOPLE.c.organization_id == bindparam("org"), _PEOPLE.c.id == bindparam("id")
)
CLIENT_STANDING = select(_CLIENTS.c.organization_id, _CLIENTS.c.scopes).where(_CLIENTS.c.id == bindparam("id"))


class StandingStore:
    """What a token's claims name, as it stands now: read by app/auth/standing.py, unscoped."""

    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    async def organization_exists(self, organization_id: str) -> bool:
        return await self.sql.scalar(ORG_EXISTS, {"org": organization_id}) is not None

    async def person_exists(self, organization_id: str, person_id: str) -> bool:
        return await self.sql.scalar(PERSON_EXISTS, {"org": organization_id, "id": person_id}) is not None

    async def client(self, client_id: str) -> tuple[str, frozenset[str]] | None:
        found = await self.sql.row(CLIENT_STANDING, {"id": client_id})
        return None if found is None else (str(found[0]), frozenset(found[1]))

    async def revocations_since(self, since: datetime) -> list[tuple[int, str]]:
        """(seq, client id) of the revocations recorded at or after `since`."""
        return [(int(r[0]), str(r[1])) for r in await self.sql.rows(REVOCATIONS_SINCE, {"since": since})]
