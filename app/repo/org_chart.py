"""Units, people and memberships on SQL: recursive CTEs for the present, validity intervals for the past."""

from __future__ import annotations

import hashlib
import typing
from dataclasses import fields as dc_fields
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, TypeVar, cast

from sqlalchemy import Table, and_, bindparam, func, insert, literal, or_, select, text
from sqlmodel import col

from app.domain.errors import PreconditionFailed
from app.domain.model import ExternallyReferenced
from app.domain.org_chart.model import Membership, Person, Unit, email_key
from app.repo.repositories import BATCH, SqlRepository
from app.repo.tables import ExternalRefRow, HistoryRow, MembershipRow, PersonRow, UnitRow

E = TypeVar("E", bound=ExternallyReferenced)
MAX_DEPTH = 10_000  # a bound for recursive walks; the forest has no cycles, this only guarantees termination


def table(row: type[Any]) -> Table:
    return cast(Table, row.__table__)


@cache
def _entity_columns(row: type[Any], entity: type[Any]) -> tuple[tuple[str, int], ...]:
    """(attribute, position in a `select(table)` row) for each field of the domain object."""
    positions = {c.name: i for i, c in enumerate(table(row).columns)}
    names = {f.name for f in dc_fields(entity)}
    return tuple(
        (attr.key, positions[attr.columns[0].name]) for attr in row.__mapper__.column_attrs if attr.key in names
    )


def _chunks(ids: list[str], size: int = 5000) -> typing.Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class VersionedSqlRepository(SqlRepository[E]):
    """Keeps every version in `history` with [valid_from, valid_to), written with the change itself."""

    async def _where(self, *criteria: Any, order: Any = None) -> list[E]:
        """Many objects without ORM objects: the table's columns, then straight into domain objects.
        A statement on the table is not an ORM statement, so the organization filter is written here."""
        t = table(self.row)
        stmt = select(t).where(t.c.organization_id == self.organization_id, *criteria)
        if order is not None:
            stmt = stmt.order_by(order)
        names = _entity_columns(self.row, self.entity)  # type: ignore[arg-type]
        rows = (await self.session.execute(stmt)).all()
        return [self.entity(**{attr: row[i] for attr, i in names}) for row in rows]

    def _snapshot(self, entity: E) -> dict[str, Any]:
        return entity.resource()

    def from_snapshot(self, data: dict[str, Any]) -> E:
        hints = typing.get_type_hints(self.entity)
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
        closes = [
            {
                "_org": self.organization_id,
                "_col": self.collection,
                "_id": e.id,
                "_to": now if deleted else e.updated_at,
            }
            for e in entities
        ]
        h = table(HistoryRow)
        close = (
            h.update()
            .where(
                h.c.organization_id == bindparam("_org"),
                h.c.collection == bindparam("_col"),
                h.c.object_id == bindparam("_id"),
                h.c.valid_to.is_(None),
            )
            .values(valid_to=bindparam("_to"))
        )
        for start in range(0, len(closes), BATCH):
            await self.session.execute(close, closes[start : start + BATCH])
        if deleted:
            return
        rows = [
            {
                "organization_id": self.organization_id,
                "collection": self.collection,
                "object_id": e.id,
                "valid_from": e.updated_at,
                "valid_to": None,
                "data": self._snapshot(e),
            }
            for e in entities
        ]
        for start in range(0, len(rows), BATCH):
            await self.session.execute(insert(HistoryRow), rows[start : start + BATCH])

    async def at(self, instant: datetime) -> list[E]:
        stmt = select(col(HistoryRow.data)).where(
            col(HistoryRow.collection) == self.collection,
            col(HistoryRow.valid_from) <= instant,
            or_(col(HistoryRow.valid_to).is_(None), col(HistoryRow.valid_to) > instant),
        )
        return [self.from_snapshot(d) for d in (await self.session.execute(stmt)).scalars()]

    async def get_many(self, ids: list[str]) -> list[E]:
        out: list[E] = []
        for chunk in _chunks(sorted(set(ids))):
            out.extend(await self._where(table(self.row).c.id.in_(chunk)))
        return out

    async def by_system(self, system: str) -> dict[str, E]:
        stmt = select(self.row, col(ExternalRefRow.external_id)).join(
            ExternalRefRow,
            and_(
                col(ExternalRefRow.object_id) == col(self.row.id),
                col(ExternalRefRow.collection) == self.collection,
                col(ExternalRefRow.system) == system,
                col(ExternalRefRow.organization_id) == self.organization_id,
            ),
        )
        return {ext: self.to_entity(row) for row, ext in (await self.session.execute(stmt)).all()}

    async def add_many(self, entities: list[E]) -> None:
        """In the order given (parents before children: foreign keys are checked row by row)."""
        rows = [self.to_values(e) for e in entities]
        for start in range(0, len(rows), BATCH):
            await self.session.execute(insert(self.row), rows[start : start + BATCH])
        refs = [
            {
                "organization_id": self.organization_id,
                "collection": self.collection,
                "system": s,
                "external_id": x,
                "object_id": e.id,
            }
            for e in entities
            for s, x in e.external_refs.items()
        ]
        for start in range(0, len(refs), BATCH):
            await self.session.execute(insert(ExternalRefRow), refs[start : start + BATCH])
        await self._after_write(entities)

    async def save_many(self, entities: list[E], previous_refs: dict[str, dict[str, str]] | None = None) -> None:
        """`previous_refs`: each object's external refs before the change (refs are rewritten only where
        they changed; the sync never changes them)."""
        if not entities:
            return
        previous_refs = previous_refs or {}
        table = self.row.__table__
        mapper_columns = {name: self.row.__mapper__.attrs[name].columns[0].name for name in self.row.model_fields}
        values = self.to_values(entities[0])
        names = [n for n in values if n != "id"]
        stmt = (
            table.update()
            .where(
                table.c.id == bindparam("_id"),
                table.c.organization_id == bindparam("_org"),
                table.c.version == bindparam("_version"),
            )
            .values({mapper_columns[n]: bindparam("v_" + n) for n in names})
        )
        params = []
        for e in entities:
            v = self.to_values(e)
            params.append(
                {
                    "_id": e.id,
                    "_org": self.organization_id,
                    "_version": e.version - 1,
                    **{"v_" + n: v[n] for n in names},
                }
            )
        written, known = 0, True
        for start in range(0, len(params), BATCH):
            result = await self.session.execute(stmt, params[start : start + BATCH])
            count = getattr(result, "rowcount", None)
            known = known and isinstance(count, int) and count >= 0  # a driver may not know (-1)
            written += count if isinstance(count, int) and count > 0 else 0
        if known and written != len(params):  # a concurrent change got there first: no event may report this one
            raise PreconditionFailed("Some objects were changed by another request meanwhile; run the sync again.")
        for e in entities:
            if e.external_refs != previous_refs.get(e.id, e.external_refs):
                await self._write_refs(e)
        await self._after_write(entities)

    async def links(self, link: str) -> dict[str, str | None]:
        """Every object's `link` (parent, manager) in the organization, in one statement."""
        t = table(self.row)
        stmt = select(t.c.id, t.c[link]).where(t.c.organization_id == self.organization_id)
        return {str(i): (str(p) if p is not None else None) for i, p in (await self.session.execute(stmt)).all()}

    async def _walk_up(self, start_id: str, link: str) -> list[E]:
        """Follow `link` (parent, manager) from an object to the top, nearest first: one recursive CTE."""
        t = table(self.row)
        up = (
            select(t.c[link].label("id"), literal(1).label("depth"))
            .where(t.c.organization_id == self.organization_id, t.c.id == start_id, t.c[link].is_not(None))
            .cte("walk_up", recursive=True)
        )
        step = t.alias("step")
        up = up.union_all(
            select(step.c[link], up.c.depth + 1).where(
                step.c.organization_id == self.organization_id,
                step.c.id == up.c.id,
                step.c[link].is_not(None),
                up.c.depth < MAX_DEPTH,
            )
        )
        stmt = select(self.row).join(up, col(self.row.id) == up.c.id).order_by(up.c.depth)
        return [self.to_entity(r) for r in (await self.session.execute(stmt)).scalars()]

    async def _lock(self, name: str) -> None:
        """A transaction-scoped advisory lock per organization on PostgreSQL. On SQLite every writer already
        holds the database's write lock (BEGIN IMMEDIATE), which serializes the same way."""
        if self.session.bind is not None and self.session.get_bind().dialect.name == "postgresql":
            key = int.from_bytes(
                hashlib.sha256(f"{self.organization_id}:{name}".encode()).digest()[:8], "big", signed=True
            )
            await self.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


class UnitRepository(VersionedSqlRepository[Unit]):
    row = UnitRow
    entity = Unit
    collection = "units"

    async def lock_structure(self) -> None:
        await self._lock("units")

    async def has_children(self, unit_id: str) -> bool:
        stmt = select(func.count()).select_from(UnitRow).where(col(UnitRow.parent_id) == unit_id)
        return bool((await self.session.execute(stmt)).scalar())

    async def children_of(self, unit_ids: list[str]) -> list[Unit]:
        out: list[Unit] = []
        t = table(UnitRow)
        for chunk in _chunks(sorted(set(unit_ids))):
            out.extend(await self._where(t.c.parent_id.in_(chunk), order=t.c.id))
        return out

    async def descendants(self, unit_id: str, max_depth: int | None) -> list[tuple[Unit, int]]:
        t = table(UnitRow)
        tree = (
            select(t.c.id, literal(0).label("depth"))
            .where(t.c.organization_id == self.organization_id, t.c.id == unit_id)
            .cte("subtree", recursive=True)
        )
        child = t.alias("child")
        limit = min(max_depth, MAX_DEPTH) if max_depth is not None else MAX_DEPTH
        tree = tree.union_all(
            select(child.c.id, tree.c.depth + 1).where(
                child.c.organization_id == self.organization_id, child.c.parent_id == tree.c.id, tree.c.depth < limit
            )
        )
        stmt = (
            select(UnitRow, tree.c.depth)
            .join(tree, col(UnitRow.id) == tree.c.id)
            .where(tree.c.depth > 0)
            .order_by(tree.c.depth, col(UnitRow.id))
        )
        return [(self.to_entity(row), int(depth)) for row, depth in (await self.session.execute(stmt)).all()]

    async def ancestors(self, unit_id: str) -> list[Unit]:
        return await self._walk_up(unit_id, "parent_id")


class PersonRepository(VersionedSqlRepository[Person]):
    row = PersonRow
    entity = Person
    collection = "people"

    def to_values(self, entity: Person) -> dict[str, Any]:
        return {**super().to_values(entity), "email_key": email_key(entity.email)}

    async def lock_structure(self) -> None:
        await self._lock("people")

    async def find_by_email(self, email: str) -> Person | None:
        row = (
            await self.session.execute(select(PersonRow).where(col(PersonRow.email_key) == email_key(email)))
        ).scalar()
        return None if row is None else self.to_entity(row)

    async def emails(self, keys: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(sorted(set(keys))):
            stmt = select(col(PersonRow.email_key), col(PersonRow.id)).where(col(PersonRow.email_key).in_(chunk))
            out.update({str(k): str(i) for k, i in (await self.session.execute(stmt)).all()})
        return out

    async def reports_of(self, manager_ids: list[str]) -> list[Person]:
        out: list[Person] = []
        t = table(PersonRow)
        for chunk in _chunks(sorted(set(manager_ids))):
            out.extend(await self._where(t.c.manager_id.in_(chunk), order=t.c.id))
        return out

    async def reports(self, person_id: str, recursive: bool) -> list[Person]:
        if not recursive:
            return await self.reports_of([person_id])
        t = table(PersonRow)
        down = (
            select(t.c.id, literal(1).label("depth"))
            .where(t.c.organization_id == self.organization_id, t.c.manager_id == person_id)
            .cte("reports", recursive=True)
        )
        report = t.alias("report")
        down = down.union_all(
            select(report.c.id, down.c.depth + 1).where(
                report.c.organization_id == self.organization_id,
                report.c.manager_id == down.c.id,
                down.c.depth < MAX_DEPTH,
            )
        )
        stmt = select(PersonRow).join(down, col(PersonRow.id) == down.c.id).order_by(down.c.depth, col(PersonRow.id))
        return [self.to_entity(r) for r in (await self.session.execute(stmt)).scalars()]

    async def management_chain(self, person_id: str) -> list[Person]:
        return await self._walk_up(person_id, "manager_id")


class MembershipRepository(VersionedSqlRepository[Membership]):
    row = MembershipRow
    entity = Membership
    collection = "memberships"

    async def of_people(self, person_ids: list[str]) -> list[Membership]:
        out: list[Membership] = []
        t = table(MembershipRow)
        for chunk in _chunks(sorted(set(person_ids))):
            out.extend(await self._where(t.c.person_id.in_(chunk), order=t.c.id))
        return out

    async def of_units(self, unit_ids: list[str]) -> list[Membership]:
        out: list[Membership] = []
        t = table(MembershipRow)
        for chunk in _chunks(sorted(set(unit_ids))):
            out.extend(await self._where(t.c.unit_id.in_(chunk), order=t.c.id))
        return out
