"""Repositories: domain objects in, domain objects out. Each is made for one organization: its statements
take the organization from `org_criterion` (app/repo/sql.py), filled by the unit of work, so none of them
can read or write another organization's rows."""

from __future__ import annotations

import typing
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from dataclasses import fields as dc_fields
from datetime import UTC, datetime, timedelta
from functools import cache, cached_property
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Integer, Table, bindparam, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.domain.api_clients.model import ApiClient
from app.domain.errors import Conflict, PreconditionFailed
from app.domain.model import ExternallyReferenced, ListQuery, Page
from app.repo.json_filters import has_element
from app.repo.sql import ORG, Sql, any_of, has_link_url, org_criterion
from app.repo.tables import ApiClientRow, CredentialRevocationRow, ExternalRefRow

E = TypeVar("E", bound=ExternallyReferenced)
BATCH = 2000


def table(row: type[Any]) -> Table:
    return cast(Table, row.__table__)


def names_a_missing_row(exc: IntegrityError) -> bool:
    """A foreign key refused the change (a row it names is gone, or one that names it remains), not a
    uniqueness."""
    orig = exc.orig
    return getattr(orig, "sqlstate", None) == "23503" or "FOREIGN KEY constraint failed" in str(orig)


@asynccontextmanager
async def unique_violation_is_conflict(detail: str) -> Any:
    try:
        yield
    except IntegrityError as exc:
        if names_a_missing_row(exc):
            raise Conflict(
                "An object this one names was deleted meanwhile (a unit, a person, an objective…); read it again."
            ) from exc
        raise Conflict(detail) from exc


def paged(rows: list[Any], limit: int, to_domain: Callable[[Any], Any], key: Callable[[Any], str]) -> Page[Any]:
    items = [to_domain(r) for r in rows[:limit]]
    return Page(items=items, next_after=key(rows[limit - 1]) if len(rows) > limit else None)


@dataclass(frozen=True)
class Shape:
    """A collection's columns and the statements every collection runs, built once per table."""

    row: type[Any]
    entity: type[Any]
    collection: str
    extra: tuple[str, ...] = ()  # columns the table has beyond the domain object's fields (derived values)

    @cached_property
    def t(self) -> Table:
        return table(self.row)

    @cached_property
    def attributes(self) -> tuple[tuple[str, Any], ...]:
        """(attribute, column) of each field of the domain object, in the table's order."""
        names = {f.name for f in dc_fields(self.entity)}
        return tuple((attr.key, attr.columns[0]) for attr in self.row.__mapper__.column_attrs if attr.key in names)

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(a for a, _ in self.attributes)

    def select(self, *extra: Any) -> Any:
        return self.select_unscoped(*extra).where(org_criterion(self.t))

    def select_unscoped(self, *extra: Any) -> Any:
        """For the system unit of work only (the worker reads across organizations); refused elsewhere."""
        return select(*[c for _, c in self.attributes], *extra)


@cache
def shape(row: type[Any], entity: type[Any], collection: str, extra: tuple[str, ...] = ()) -> Shape:
    return Shape(row, entity, collection, extra)


@cache
def _statements(s: Shape) -> dict[str, Any]:
    t = s.t
    mapper = s.row.__mapper__
    written = [(a, c) for a, c in s.attributes if c.name != "organization_id"]
    written += [(a, mapper.attrs[a].columns[0]) for a in s.extra]
    values = {c.name: bindparam("v_" + a, type_=c.type) for a, c in written}
    r = table(ExternalRefRow)
    return {
        "get": s.select().where(t.c.id == bindparam("id", type_=t.c.id.type)),
        # FOR NO KEY UPDATE on PostgreSQL: ids never change, and a plain FOR UPDATE would conflict with the
        # KEY SHARE lock that inserting a row which references this one takes (a check-in referencing its
        # objective), so that two such transactions upgrading their locks would deadlock.
        "get_for_update": s.select()
        .where(t.c.id == bindparam("id", type_=t.c.id.type))
        .with_for_update(key_share=True),
        "get_many": s.select().where(any_of(t.c.id, "ids")).order_by(t.c.id),
        "insert": insert(t).values(organization_id=bindparam(ORG), **values),
        "update": update(t)
        .where(org_criterion(t), t.c.id == bindparam("v_id"), t.c.version == bindparam("_expected", type_=Integer()))
        .values({k: v for k, v in values.items() if k != "id"}),
        "delete": delete(t).where(org_criterion(t), t.c.id == bindparam("id")),
        "ref_owner": select(r.c.object_id).where(
            org_criterion(r),
            r.c.collection == s.collection,
            r.c.system == bindparam("system"),
            r.c.external_id == bindparam("external_id"),
        ),
        "refs_delete": delete(r).where(
            org_criterion(r), r.c.collection == s.collection, r.c.object_id == bindparam("id")
        ),
        "refs_insert": insert(r).values(
            organization_id=bindparam(ORG),
            collection=s.collection,
            system=bindparam("system"),
            external_id=bindparam("external_id"),
            object_id=bindparam("object_id"),
        ),
    }


CHUNK = 5000  # ids per statement in reads by a list of ids


def _chunks(ids: list[str], size: int = CHUNK) -> typing.Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@cache
def _where_in(s: Shape, column: str) -> Any:
    """The objects whose `column` is one of a list, in id order."""
    return s.select().where(any_of(s.t.c[column], "ids")).order_by(s.t.c.id)


# Filters that are no column's equality, by the name lists take them under.
SPECIAL_FILTERS: dict[str, Callable[[Table, str], Any]] = {
    # a link of the object's `links` has this URL
    "link_url": lambda t, p: has_link_url(t.c.links, p),
    # the unit is among the objective's contributors
    "contributor_unit_id": lambda t, p: has_element(t.c.contributor_unit_ids, p),
    # the unit owns the objective or contributes to it
    "involves_unit_id": lambda t, p: or_(t.c.owner_unit_id == bindparam(p), has_element(t.c.contributor_unit_ids, p)),
    # the unit sent the handoff or is addressed by it
    "either_unit_id": lambda t, p: or_(t.c.from_unit_id == bindparam(p), t.c.to_unit_id == bindparam(p)),
    # recorded before this instant
    "created_before": lambda t, p: t.c.created_at < bindparam(p, type_=t.c.created_at.type),
}


@cache
def _list_statement(s: Shape, after: bool, since: bool, by_id: bool, filters: tuple[tuple[str, bool], ...]) -> Any:
    """One statement per combination of filters present (a handful per collection), each compiled once."""
    t = s.t
    stmt = s.select().order_by(t.c.id).limit(bindparam("_limit", type_=Integer()))
    if after:
        stmt = stmt.where(t.c.id > bindparam("_after"))
    if since:
        stmt = stmt.where(t.c.updated_at >= bindparam("_since", type_=t.c.updated_at.type))
    if by_id:
        stmt = stmt.where(t.c.id == bindparam("_id"))
    for name, is_null in filters:
        special = SPECIAL_FILTERS.get(name)
        if special is not None:
            stmt = stmt.where(special(t, "f_" + name))
            continue
        column = s.row.__mapper__.attrs[name].columns[0]
        stmt = stmt.where(column.is_(None) if is_null else column == bindparam("f_" + name, type_=column.type))
    return stmt


class SqlRepository(Generic[E]):
    """The conventions every collection shares: get, keyset pages, version-guarded saves, external refs."""

    row: type[Any]
    entity: type[E]
    collection: str
    extra: tuple[str, ...] = ()

    def __init__(self, sql: Sql, organization_id: str) -> None:
        self.sql = sql
        self.organization_id = organization_id
        self.shape = shape(self.row, self.entity, self.collection, self.extra)  # type: ignore[arg-type]
        self.statements = _statements(self.shape)
        self._names = self.shape.names
        self._refs_seen: dict[str, dict[str, str]] = {}  # external refs as read, to write them only when changed

    def to_entity(self, values: tuple[Any, ...]) -> E:
        entity = self.entity(**dict(zip(self._names, values, strict=True)))
        self._refs_seen[entity.id] = dict(entity.external_refs)
        return entity

    def to_values(self, entity: E) -> dict[str, Any]:
        return {"v_" + name: getattr(entity, name) for name in self._names if name != "organization_id"}

    async def _after_write(self, entities: list[E], *, deleted: bool = False) -> None:
        """Versioned collections keep every version (see VersionedSqlRepository)."""

    async def get(self, object_id: str, *, for_update: bool = False) -> E | None:
        found = await self.sql.row(self.statements["get_for_update" if for_update else "get"], {"id": object_id})
        return None if found is None else self.to_entity(found)

    async def list(self, query: ListQuery) -> Page[E]:
        params: dict[str, Any] = {"_limit": query.limit + 1}
        owner = None
        if query.external_ref is not None:
            owner = await self._ref_owner(*query.external_ref)
            if owner is None:
                return Page(items=[], next_after=None)
            params["_id"] = owner
        if query.after:
            params["_after"] = query.after
        if query.updated_since is not None:
            params["_since"] = query.updated_since
        filters = []
        for name, value in sorted(query.filters.items()):
            filters.append((name, value is None))
            if value is not None:
                params["f_" + name] = value
        stmt = _list_statement(
            self.shape, bool(query.after), query.updated_since is not None, owner is not None, tuple(filters)
        )
        rows = await self.sql.rows(stmt, params)
        return paged(rows, query.limit, self.to_entity, lambda r: str(r[self._names.index("id")]))

    async def add(self, entity: E) -> None:
        async with unique_violation_is_conflict(f"{entity.id} conflicts with an existing object."):
            await self.sql.run(self.statements["insert"], self.to_values(entity))
        await self._insert_refs([entity])
        self._refs_seen[entity.id] = dict(entity.external_refs)
        await self._after_write([entity])

    async def save(self, entity: E, *, expected_version: int) -> None:
        """The row is written only if it is still at `expected_version`: the check and the write are one
        statement."""
        async with unique_violation_is_conflict(f"{entity.id} conflicts with an existing object."):
            changed = await self.sql.run(
                self.statements["update"], {**self.to_values(entity), "_expected": expected_version}
            )
        if changed != 1:
            raise PreconditionFailed(f"{entity.id} was changed by another request; read it again.")
        if self._refs_seen.get(entity.id) != entity.external_refs:
            await self._write_refs(entity)
        await self._after_write([entity])

    async def delete(self, entity: E) -> None:
        await self.sql.run(self.statements["refs_delete"], {"id": entity.id})
        try:
            await self.sql.run(self.statements["delete"], {"id": entity.id})
        except IntegrityError as exc:
            if not names_a_missing_row(exc):
                raise
            raise Conflict(f"Other objects still name {entity.id} (objectives, handoffs…); change them first.") from exc
        await self._after_write([entity], deleted=True)

    async def in_column(self, column: str, values: typing.Sequence[str]) -> typing.List[E]:  # noqa: UP006
        """The objects whose `column` (an id it names) is one of `values`, in id order."""
        out: typing.List[E] = []  # noqa: UP006 (`list` is a method of this class)
        for chunk in _chunks(sorted(set(values))):
            out.extend(self.to_entity(r) for r in await self.sql.rows(_where_in(self.shape, column), {"ids": chunk}))
        return out

    async def find_by_external_ref(self, system: str, external_id: str) -> E | None:
        """By the refs' unique index, then the object by its primary key: two lookups no plan can get wrong."""
        owner = await self._ref_owner(system, external_id)
        return None if owner is None else await self.get(owner)

    async def _ref_owner(self, system: str, external_id: str) -> str | None:
        found = await self.sql.scalar(self.statements["ref_owner"], {"system": system, "external_id": external_id})
        return None if found is None else str(found)

    async def _insert_refs(self, entities: typing.Sequence[E]) -> None:
        refs = [
            {"system": s, "external_id": x, "object_id": e.id} for e in entities for s, x in e.external_refs.items()
        ]
        async with unique_violation_is_conflict("An external ref of this object already belongs to another one."):
            for start in range(0, len(refs), BATCH):
                await self.sql.run_many(self.statements["refs_insert"], refs[start : start + BATCH])

    async def _write_refs(self, entity: E) -> None:
        await self.sql.run(self.statements["refs_delete"], {"id": entity.id})
        await self._insert_refs([entity])
        self._refs_seen[entity.id] = dict(entity.external_refs)


_REVOKED = table(CredentialRevocationRow)
REVOCATION_INSERT = insert(_REVOKED).values(
    client_id=bindparam("client_id"), revoked_at=bindparam("at", type_=_REVOKED.c.revoked_at.type)
)
REVOCATIONS_PRUNE = delete(_REVOKED).where(
    _REVOKED.c.revoked_at < bindparam("before", type_=_REVOKED.c.revoked_at.type)
)
REVOCATIONS_KEPT = timedelta(days=1)  # far longer than any process waits between two reads of them


async def record_revocation(sql: Sql, client_id: str, at: datetime) -> None:
    """In the transaction that deletes the client or changes its scopes."""
    await sql.run(REVOCATIONS_PRUNE, {"before": at - REVOCATIONS_KEPT})
    await sql.run(REVOCATION_INSERT, {"client_id": client_id, "at": at})


class ApiClientRepository(SqlRepository[ApiClient]):
    """A client changed or deleted may no longer stand behind the tokens it was issued: each change is
    recorded as a revocation, which every server process reads within a second (app/auth/standing.py)."""

    row = ApiClientRow
    entity = ApiClient
    collection = "api_clients"

    async def save(self, entity: ApiClient, *, expected_version: int) -> None:
        await super().save(entity, expected_version=expected_version)
        await record_revocation(self.sql, entity.id, entity.updated_at)

    async def delete(self, entity: ApiClient) -> None:
        await super().delete(entity)
        await record_revocation(self.sql, entity.id, datetime.now(UTC))
