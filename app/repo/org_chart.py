"""Units, people and memberships on SQL: recursive CTEs for the present, validity intervals for the past."""

from __future__ import annotations

import hashlib
import typing
from dataclasses import fields as dc_fields
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import BigInteger, Integer, and_, bindparam, func, insert, literal, or_, select, true, update

from app.domain.errors import PreconditionFailed
from app.domain.model import ExternallyReferenced
from app.domain.org_chart.model import Membership, Person, Unit, key_or_none
from app.domain.provisioning.criteria import Criterion
from app.repo.criteria import person_condition, sign_in_name_is, unit_condition
from app.repo.repositories import BATCH, Shape, SqlRepository, _chunks, _where_in, table
from app.repo.sql import ORG, any_of, org_criterion
from app.repo.tables import ExternalRefRow, HistoryRow, MembershipRow, PersonRow, UnitRow

E = TypeVar("E", bound=ExternallyReferenced)
MAX_DEPTH = 10_000  # a bound for recursive walks; the forest has no cycles, this only guarantees termination

_H = table(HistoryRow)
HISTORY_CLOSE = (
    update(_H)
    .where(
        org_criterion(_H),
        _H.c.collection == bindparam("_col"),
        _H.c.object_id == bindparam("_id"),
        _H.c.valid_to.is_(None),
    )
    .values(valid_to=bindparam("_to", type_=_H.c.valid_to.type))
)
HISTORY_INSERT = insert(_H).values(
    organization_id=bindparam(ORG),
    collection=bindparam("_col"),
    object_id=bindparam("_id"),
    valid_from=bindparam("_from", type_=_H.c.valid_from.type),
    valid_to=None,
    data=bindparam("_data", type_=_H.c.data.type),
)
HISTORY_AT = select(_H.c.data).where(
    org_criterion(_H),
    _H.c.collection == bindparam("_col"),
    _H.c.valid_from <= bindparam("_at", type_=_H.c.valid_from.type),
    or_(_H.c.valid_to.is_(None), _H.c.valid_to > bindparam("_at", type_=_H.c.valid_to.type)),
)


@cache
def _links(s: Shape, link: str) -> Any:
    return select(s.t.c.id, s.t.c[link]).where(org_criterion(s.t))


@cache
def _by_system(s: Shape) -> Any:
    r = table(ExternalRefRow)
    return (
        s.select(r.c.external_id)
        .join_from(s.t, r, (r.c.object_id == s.t.c.id) & (r.c.organization_id == s.t.c.organization_id))
        .where(org_criterion(r), r.c.collection == s.collection, r.c.system == bindparam("system"))
    )


@cache
def _walk_up(s: Shape, link: str) -> Any:
    """From each of several objects along `link` (parent, manager) to the top, nearest first: one
    recursive CTE, each row tagged with the object it started from (the last column)."""
    t = s.t
    up: Any = (
        select(t.c.id.label("start"), t.c[link].label("id"), literal(1).label("depth"))
        .where(org_criterion(t), any_of(t.c.id, "starts"), t.c[link].is_not(None))
        .cte("walk_up", recursive=True)
    )
    step = t.alias("step")
    up = up.union_all(
        select(up.c.start, step.c[link], up.c.depth + 1).where(
            org_criterion(step), step.c.id == up.c.id, step.c[link].is_not(None), up.c.depth < MAX_DEPTH
        )
    )
    return s.select(up.c.start).join(up, t.c.id == up.c.id).order_by(up.c.start, up.c.depth)


@cache
def _walk_down(s: Shape, link: str, include_start: bool) -> Any:
    """Everything below an object along `link` (parent, manager), with its depth, nearest first."""
    t = s.t
    start: Any
    if include_start:
        start = select(t.c.id, literal(0).label("depth")).where(org_criterion(t), t.c.id == bindparam("start"))
    else:
        start = select(t.c.id, literal(1).label("depth")).where(org_criterion(t), t.c[link] == bindparam("start"))
    down: Any = start.cte("walk_down", recursive=True)
    below = t.alias("below")
    down = down.union_all(
        select(below.c.id, down.c.depth + 1).where(
            org_criterion(below),
            below.c[link] == down.c.id,
            down.c.depth < bindparam("max_depth", type_=Integer()),
        )
    )
    return s.select(down.c.depth).join(down, t.c.id == down.c.id).where(down.c.depth > 0).order_by(down.c.depth, t.c.id)


class VersionedSqlRepository(SqlRepository[E]):
    """Keeps every version in `history` with [valid_from, valid_to), written with the change itself."""

    def _snapshot(self, entity: E) -> dict[str, Any]:
        return entity.resource()

    def from_snapshot(self, data: dict[str, Any]) -> E:
        hints = _hints(self.entity)  # type: ignore[arg-type]
        values: dict[str, Any] = {"organization_id": self.organization_id}
        for f in dc_fields(self.entity):
            if f.name not in data:
                continue
            value, hint = data[f.name], hints[f.name]
            if value is not None and datetime in (hint, *typing.get_args(hint)):
                value = datetime.fromisoformat(value.replace("Z", "+00:00"))
            elif value is not None and date in (hint, *typing.get_args(hint)):
                value = date.fromisoformat(value)
            values[f.name] = value
        return self.entity(**values)

    async def _after_write(self, entities: list[E], *, deleted: bool = False) -> None:
        if not entities:
            return
        now = datetime.now(UTC)
        closes = [{"_col": self.collection, "_id": e.id, "_to": now if deleted else e.updated_at} for e in entities]
        if len(closes) == 1:
            await self.sql.run(HISTORY_CLOSE, closes[0])
        else:
            for start in range(0, len(closes), BATCH):
                await self.sql.run_many(HISTORY_CLOSE, closes[start : start + BATCH])
        if deleted:
            return
        rows = [
            {"_col": self.collection, "_id": e.id, "_from": e.updated_at, "_data": self._snapshot(e)} for e in entities
        ]
        if len(rows) == 1:
            await self.sql.run(HISTORY_INSERT, rows[0])
        else:
            for start in range(0, len(rows), BATCH):
                await self.sql.run_many(HISTORY_INSERT, rows[start : start + BATCH])

    async def at(self, instant: datetime) -> list[E]:
        rows = await self.sql.rows(HISTORY_AT, {"_col": self.collection, "_at": instant})
        return [self.from_snapshot(r[0]) for r in rows]

    async def get_many(self, ids: list[str]) -> list[E]:
        return await self.in_column("id", ids)

    async def by_system(self, system: str) -> dict[str, E]:
        rows = await self.sql.rows(_by_system(self.shape), {"system": system})
        return {str(r[-1]): self.to_entity(r[:-1]) for r in rows}

    async def add_many(self, entities: list[E]) -> None:
        """In the order given (parents before children: foreign keys are checked row by row)."""
        rows = [self.to_values(e) for e in entities]
        for start in range(0, len(rows), BATCH):
            await self.sql.run_many(self.statements["insert"], rows[start : start + BATCH])
        await self._insert_refs(entities)
        for e in entities:
            self._refs_seen[e.id] = dict(e.external_refs)
        await self._after_write(entities)

    async def save_many(self, entities: list[E], previous_refs: dict[str, dict[str, str]] | None = None) -> None:
        """`previous_refs`: each object's external refs before the change (refs are rewritten only where
        they changed; the sync never changes them)."""
        if not entities:
            return
        previous_refs = previous_refs or {}
        params = [{**self.to_values(e), "_expected": e.version - 1} for e in entities]
        if len(params) == 1:
            if await self.sql.run(self.statements["update"], params[0]) != 1:
                raise PreconditionFailed("Some objects were changed by another request meanwhile; run the sync again.")
        else:
            # asyncpg's executemany reports no row counts: the versions are checked after, in one statement.
            for start in range(0, len(params), BATCH):
                await self.sql.run_many(self.statements["update"], params[start : start + BATCH])
            versions = {e.id: e.version for e in entities}
            for chunk in _chunks(sorted(versions)):
                for found in await self.sql.rows(_where_in(self.shape, "id"), {"ids": chunk}):
                    entity = self.entity(**dict(zip(self._names, found, strict=True)))
                    if entity.version != versions[entity.id] or entity.updated_at != _updated(entities, entity.id):
                        raise PreconditionFailed(
                            "Some objects were changed by another request meanwhile; run the sync again."
                        )
        for e in entities:
            if e.external_refs != previous_refs.get(e.id, e.external_refs):
                await self._write_refs(e)
        await self._after_write(entities)

    async def links(self, link: str) -> dict[str, str | None]:
        """Every object's `link` (parent, manager) in the organization, in one statement."""
        rows = await self.sql.rows(_links(self.shape, link))
        return {str(i): (str(p) if p is not None else None) for i, p in rows}

    async def _walk_up(self, start_ids: list[str], link: str) -> dict[str, list[E]]:
        out: dict[str, list[E]] = {start: [] for start in start_ids}
        for chunk in _chunks(sorted(set(start_ids))):
            for row in await self.sql.rows(_walk_up(self.shape, link), {"starts": chunk}):
                out[str(row[-1])].append(self.to_entity(row[:-1]))
        return out

    async def _walk_down(
        self, start_id: str, link: str, max_depth: int | None, include_start: bool
    ) -> list[tuple[E, int]]:
        limit = min(max_depth, MAX_DEPTH) if max_depth is not None else MAX_DEPTH
        rows = await self.sql.rows(_walk_down(self.shape, link, include_start), {"start": start_id, "max_depth": limit})
        return [(self.to_entity(r[:-1]), int(r[-1])) for r in rows]

    async def _lock(self, name: str) -> None:
        """A transaction-scoped advisory lock per organization on PostgreSQL. On SQLite every writer already
        holds the database's write lock (BEGIN IMMEDIATE), which serializes the same way."""
        if not self.sql.sqlite:
            key = int.from_bytes(
                hashlib.sha256(f"{self.organization_id}:{name}".encode()).digest()[:8], "big", signed=True
            )
            await self.sql.run(ADVISORY_LOCK, {"k": key})


ADVISORY_LOCK = select(func.pg_advisory_xact_lock(bindparam("k", type_=BigInteger())))


def _updated(entities: list[Any], object_id: str) -> datetime:
    found: datetime = next(e.updated_at for e in entities if e.id == object_id)
    return found


@cache
def _hints(entity: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(entity)


_U = table(UnitRow)
HAS_CHILDREN = select(func.count()).select_from(_U).where(org_criterion(_U), _U.c.parent_id == bindparam("id"))
_P = table(PersonRow)


class UnitRepository(VersionedSqlRepository[Unit]):
    row = UnitRow
    entity = Unit
    collection = "units"

    async def lock_structure(self) -> None:
        await self._lock("units")

    async def has_children(self, unit_id: str) -> bool:
        return bool(await self.sql.scalar(HAS_CHILDREN, {"id": unit_id}))

    async def children_of(self, unit_ids: list[str]) -> list[Unit]:
        return await self.in_column("parent_id", unit_ids)

    async def descendants(self, unit_id: str, max_depth: int | None) -> list[tuple[Unit, int]]:
        return await self._walk_down(unit_id, "parent_id", max_depth, include_start=True)

    async def ancestors(self, unit_id: str) -> list[Unit]:
        return (await self._walk_up([unit_id], "parent_id"))[unit_id]

    async def ancestors_of(self, unit_ids: list[str]) -> dict[str, list[Unit]]:
        return await self._walk_up(unit_ids, "parent_id")

    async def search(self, criterion: Criterion | None, offset: int, limit: int, today: date) -> tuple[int, list[Unit]]:
        """The units that meet the criterion (members: running memberships on `today`): how many in all,
        and `limit` of them from `offset`, in id order."""
        where = unit_condition(self.shape.t, criterion, today) if criterion is not None else true()
        return await _search(self, where, offset, limit)


async def _search(repo: VersionedSqlRepository[Any], where: Any, offset: int, limit: int) -> tuple[int, list[Any]]:
    t = repo.shape.t
    total = await repo.sql.scalar(select(func.count()).select_from(t).where(org_criterion(t), where))
    if limit <= 0:
        return int(total or 0), []
    rows = await repo.sql.rows(repo.shape.select().where(where).order_by(t.c.id).offset(offset).limit(limit))
    return int(total or 0), [repo.to_entity(r) for r in rows]


class PersonRepository(VersionedSqlRepository[Person]):
    row = PersonRow
    entity = Person
    collection = "people"
    extra = ("email_key", "user_name_key", "sign_in_key")

    def to_values(self, entity: Person) -> dict[str, Any]:
        return {
            **super().to_values(entity),
            "v_email_key": key_or_none(entity.email),
            "v_user_name_key": key_or_none(entity.user_name),
            "v_sign_in_key": key_or_none(entity.user_name or entity.email),
        }

    async def lock_structure(self) -> None:
        await self._lock("people")

    async def find_by_email(self, email: str) -> Person | None:
        found = await self.sql.row(_by_email(self.shape), {"email_key": key_or_none(email)})
        return None if found is None else self.to_entity(found)

    async def search(self, criterion: Criterion | None, offset: int, limit: int) -> tuple[int, list[Person]]:
        """The people an identity provider sees (those whose SCIM link it did not end) that meet the
        criterion: how many in all, and `limit` of them from `offset`, in id order."""
        t = self.shape.t
        where = and_(t.c.scim_ended.is_(False), person_condition(t, criterion) if criterion is not None else true())
        return await _search(self, where, offset, limit)

    async def find_by_sign_in_name(self, key: str) -> Person | None:
        """The person whose user name is `key`, or who has none and whose email is `key` (SCIM's userName)."""
        found = await self.sql.row(_by_sign_in_name(self.shape), {"key": key})
        return None if found is None else self.to_entity(found)

    async def emails(self, keys: list[str]) -> list[tuple[str, str]]:
        out: set[tuple[str, str]] = set()
        for chunk in _chunks(sorted(set(keys))):
            for statement in (EMAILS, SIGN_INS):
                out.update((str(k), str(i)) for k, i in await self.sql.rows(statement, {"ids": chunk}))
        return sorted(out)

    async def reports_of(self, manager_ids: list[str]) -> list[Person]:
        return await self.in_column("manager_id", manager_ids)

    async def reports(self, person_id: str, recursive: bool) -> list[Person]:
        if not recursive:
            return await self.reports_of([person_id])
        return [p for p, _ in await self._walk_down(person_id, "manager_id", None, include_start=False)]

    async def management_chain(self, person_id: str) -> list[Person]:
        return (await self._walk_up([person_id], "manager_id"))[person_id]


@cache
def _by_email(s: Shape) -> Any:
    return s.select().where(s.t.c.email_key == bindparam("email_key"))


@cache
def _by_sign_in_name(s: Shape) -> Any:
    return s.select().where(sign_in_name_is(s.t, bindparam("key"))).order_by(s.t.c.id).limit(1)


EMAILS = select(_P.c.email_key, _P.c.id).where(org_criterion(_P), any_of(_P.c.email_key, "ids"))
SIGN_INS = select(_P.c.sign_in_key, _P.c.id).where(org_criterion(_P), any_of(_P.c.sign_in_key, "ids"))


class MembershipRepository(VersionedSqlRepository[Membership]):
    row = MembershipRow
    entity = Membership
    collection = "memberships"

    async def lock_primaries(self) -> None:
        await self._lock("memberships")

    async def of_people(self, person_ids: list[str]) -> list[Membership]:
        return await self.in_column("person_id", person_ids)

    async def of_units(self, unit_ids: list[str]) -> list[Membership]:
        return await self.in_column("unit_id", unit_ids)
