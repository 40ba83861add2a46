"""One object by id, the hottest read there is: a single statement with the organization written into
it, its row decoded by the columns' own types into the domain object. Repositories use it inside their
session; `PointReads` runs it on a pooled driver connection with no session at all, for the HTTP edge's
point-read lane (app/api/point_reads.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from dataclasses import fields as dc_fields
from types import SimpleNamespace
from typing import Any, Generic, TypeVar

from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import greenlet_spawn

E = TypeVar("E")


@dataclass(frozen=True)
class PointReadPlan(Generic[E]):
    sql: str
    decoders: tuple[tuple[str, Callable[[Any], Any] | None], ...]
    entity: type[E]
    fields: frozenset[str]

    def decode(self, values: Sequence[Any]) -> E:
        return self.entity(
            **{
                attr: (decode(v) if decode else v)
                for (attr, decode), v in zip(self.decoders, values, strict=True)
                if attr in self.fields
            }
        )


_PLANS: dict[tuple[type[Any], type[Any], str], PointReadPlan[Any]] = {}


def point_read_plan(row: type[Any], entity: type[E], dialect: Dialect) -> PointReadPlan[E]:
    """The statement and decoders of one collection on one dialect, made once."""
    key = (row, entity, dialect.name)
    plan = _PLANS.get(key)
    if plan is None:
        plan = _PLANS[key] = _plan(row, entity, dialect)
    return plan


def _plan(row: type[Any], entity: type[E], dialect: Dialect) -> PointReadPlan[E]:
    mapper = row.__mapper__
    attrs = [(attr.key, attr.columns[0]) for attr in mapper.column_attrs]
    placeholders = ("$1", "$2") if dialect.paramstyle == "numeric_dollar" else ("?", "?")
    columns = ", ".join(dialect.identifier_preparer.quote(c.name) for _, c in attrs)
    table = dialect.identifier_preparer.format_table(row.__table__)
    # Only identifiers of our own tables, quoted by the dialect, and placeholders: no input reaches this text.
    sql = f"SELECT {columns} FROM {table} WHERE organization_id = {placeholders[0]} AND id = {placeholders[1]}"  # noqa: S608
    decoders = tuple((key, c.type.dialect_impl(dialect).result_processor(dialect, None)) for key, c in attrs)
    return PointReadPlan(sql, decoders, entity, frozenset(f.name for f in dc_fields(entity)))  # type: ignore[arg-type]


class PointReads:
    """Point reads without a session. Each read names its organization, which the statement filters on
    like every repository does.

    On PostgreSQL they run on a small asyncpg pool of their own: checking a connection out of
    SQLAlchemy's async pool and back costs two greenlet switches, which measured as much CPU as the
    statement itself. Every read is one autocommitted SELECT, which leaves nothing on the connection, so
    returning it needs no reset query. On SQLite (no pool to speak of) they borrow the engine's."""

    # Options of SQLAlchemy's asyncpg adapter, not of asyncpg.connect().
    ADAPTER_OPTIONS = ("prepared_statement_cache_size", "prepared_statement_name_func", "async_creator_fn")

    def __init__(self, engine: AsyncEngine, pool_size: int = 10) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self.pool_size = pool_size
        self._pool: Any = None
        self._opening = asyncio.Lock()

    async def _driver_pool(self) -> Any:
        if self._pool is None:
            async with self._opening:
                if self._pool is None:
                    import asyncpg

                    _, options = self.engine.dialect.create_connect_args(self.engine.url)
                    for name in self.ADAPTER_OPTIONS:
                        options.pop(name, None)
                    self._pool = await asyncpg.create_pool(
                        min_size=0,
                        max_size=self.pool_size,
                        max_inactive_connection_lifetime=300,
                        reset=_nothing_to_reset,
                        init=self._same_types_as_the_engine,
                        **options,
                    )
        return self._pool

    async def _same_types_as_the_engine(self, connection: Any) -> None:
        """The JSON codecs SQLAlchemy's asyncpg dialect registers on its own connections (its documented
        hooks, which read the driver connection from `_connection`), so that one plan decodes rows from both."""
        adapted = SimpleNamespace(_connection=connection)
        dialect: Any = self.engine.dialect
        await dialect.setup_asyncpg_json_codec(adapted)
        await dialect.setup_asyncpg_jsonb_codec(adapted)

    async def get(self, row: type[Any], entity: type[E], organization_id: str, object_id: str) -> E | None:
        plan = point_read_plan(row, entity, self.engine.dialect)
        if not self.sqlite:
            pool = self._pool or await self._driver_pool()
            async with pool.acquire() as connection:
                values = await connection.fetchrow(plan.sql, organization_id, object_id)
        else:
            pooled = await self.engine.raw_connection()
            try:
                async with pooled.driver_connection.execute(plan.sql, (organization_id, object_id)) as cursor:  # type: ignore[union-attr]
                    values = await cursor.fetchone()
            finally:
                # Returning it resets it (a rollback through the driver's adapter), which needs the greenlet.
                await greenlet_spawn(pooled.close)
        return None if values is None else plan.decode(values)

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()


async def _nothing_to_reset(_connection: Any) -> None:
    """A point read leaves no transaction, no setting and no listener behind."""
