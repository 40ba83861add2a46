"""Statements on a driver connection: SQLAlchemy Core builds them, each is compiled once per dialect, and
the driver (asyncpg, or aiosqlite) runs it with no ORM session and no SQLAlchemy connection in between.

Why: a statement through an AsyncSession costs two greenlet switches and SQLAlchemy's execution machinery,
about as much CPU as the statement itself (bench/RESULTS.md, "Checking out a connection"). Here a statement
is its compiled text, the order of its parameters, and the converters of its parameters and columns,
taken from the column types themselves, so values go in and come out exactly as SQLAlchemy would convert
them.

Tenancy by construction: a statement on a tenant table names the organization through the one bind
parameter `_org`, which the unit of work fills with its own organization (see `org_criterion`). A
statement on a tenant table without it is refused before it runs, in a unit of work bound to an
organization; only the system unit of work (worker, maintenance) runs unscoped statements."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import asyncpg
from sqlalchemy import String, bindparam, exc, types
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ClauseElement, ColumnElement, Executable, visitors
from sqlalchemy.sql.schema import Table
from sqlalchemy.util import greenlet_spawn

ORG = "_org"  # the bind parameter every tenant statement uses for its organization
MAX_PLANS = 4096


class CrossTenantWrite(RuntimeError):
    """A unit of work of one organization tried to write another's row: a bug, never a user's fault."""


class TenancyViolation(RuntimeError):
    """A statement on a tenant table without the organization criterion: a bug, never a user's fault."""


def org_criterion(table: Any) -> ColumnElement[bool]:
    """`organization_id = :_org`: the one way a statement names its organization (filled by the unit of work)."""
    return table.c.organization_id == bindparam(ORG, type_=String())  # type: ignore[no-any-return]


class IdList(types.TypeDecorator[list[str]]):
    """A list of ids as one parameter: an array on PostgreSQL, a JSON array on SQLite (`json_each`)."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import ARRAY

            return dialect.type_descriptor(ARRAY(String()))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: list[str] | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return json.dumps(list(value)) if dialect.name == "sqlite" else list(value)


class _ColumnAndParameter(ColumnElement[bool]):
    """A condition on a column and one bound parameter, written per dialect: each subclass declares its SQL
    for PostgreSQL and for SQLite, with `{column}` and `{param}` where the compiled column and placeholder go
    (no value ever reaches this text)."""

    inherit_cache = True
    _traverse_internals = [
        ("column", visitors.InternalTraversal.dp_clauseelement),
        ("param", visitors.InternalTraversal.dp_clauseelement),
    ]
    param_type: type[types.TypeEngine[Any]] = String
    sql: dict[str, str] = {}  # dialect name -> template

    def __init__(self, column: Any, name: str) -> None:
        self.column = column
        self.param = bindparam(name, type_=self.param_type())
        self.type = types.Boolean()


@compiles(_ColumnAndParameter)
def _column_and_parameter(element: _ColumnAndParameter, compiler: Any, **kw: Any) -> str:
    column, param = compiler.process(element.column, **kw), compiler.process(element.param, **kw)
    return element.sql[compiler.dialect.name].format(column=column, param=param)


class AnyOf(_ColumnAndParameter):
    """`column IN <a list given as one parameter>`: one compiled statement whatever the list's length."""

    inherit_cache = True
    param_type = IdList
    sql = {"postgresql": "{column} = ANY({param})", "sqlite": "{column} IN (SELECT value FROM json_each({param}))"}


def any_of(column: Any, name: str) -> AnyOf:
    return AnyOf(column, name)


class HasLinkUrl(_ColumnAndParameter):
    """`column` (a JSON list of links) holds a link whose `url` is the parameter."""

    inherit_cache = True
    sql = {
        "postgresql": "EXISTS (SELECT 1 FROM jsonb_array_elements({column}) AS link WHERE link->>'url' = {param})",
        "sqlite": "EXISTS (SELECT 1 FROM json_each({column}) WHERE json_extract(value, '$.url') = {param})",
    }


def has_link_url(column: Any, name: str) -> HasLinkUrl:
    return HasLinkUrl(column, name)


@dataclass(frozen=True)
class Plan:
    sql: str
    names: tuple[str, ...]  # parameter names in positional order
    binders: tuple[Callable[[Any], Any] | None, ...]
    defaults: Mapping[str, Any]  # values written into the statement itself (literals)
    columns: tuple[str, ...]
    decoders: tuple[Callable[[Any], Any] | None, ...]
    tenant_tables: tuple[str, ...]  # tenant tables it touches
    scoped: bool  # it names the organization through ORG

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        out = []
        for name, bind in zip(self.names, self.binders, strict=True):
            value = params[name] if name in params else self.defaults.get(name)
            out.append(bind(value) if bind is not None and value is not None else value)
        return out

    @cached_property
    def _decoding(self) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
        """(position, decoder) of the columns whose values need converting; the others are taken as read."""
        return tuple((i, d) for i, d in enumerate(self.decoders) if d is not None)

    def decode(self, row: Sequence[Any]) -> tuple[Any, ...]:
        if not self._decoding:
            return tuple(row)
        values = list(row)
        for i, decode in self._decoding:
            if i < len(values) and values[i] is not None:
                values[i] = decode(values[i])
        return tuple(values)


_TENANT_TABLES: set[str] = set()


def register_tenant_tables(names: Iterable[str]) -> None:
    _TENANT_TABLES.update(names)


_plans: dict[tuple[int, str], tuple[Any, Plan]] = {}


def plan(stmt: Executable, dialect: Dialect) -> Plan:
    """The compiled form of `stmt` on `dialect`, made once per statement object. Statements the code
    builds once (module constants, cached builders) hit this cache on every call; a statement built per
    call is compiled per call (the worker's maintenance statements, not the request path)."""
    key = (id(stmt), dialect.name)
    found = _plans.get(key)
    if found is not None and found[0] is stmt:
        return found[1]
    made = _compile(stmt, dialect)
    if len(_plans) >= MAX_PLANS:
        _plans.clear()
    _plans[key] = (stmt, made)  # holding the statement keeps its id from being reused
    return made


def _compile(stmt: Executable, dialect: Dialect) -> Plan:
    clause: Any = stmt
    compiled: Any = clause.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    names = tuple(compiled.positiontup or ())
    processors = compiled._bind_processors
    binders = tuple(processors.get(n) for n in names)
    defaults = {k: v for k, v in compiled.params.items() if v is not None}
    columns: list[str] = []
    decoders: list[Callable[[Any], Any] | None] = []
    for entry in compiled._result_columns or ():
        columns.append(entry[0] if isinstance(entry[0], str) else str(entry[1]))
        decoders.append(entry[3]._cached_result_processor(dialect, None))
    touched = tuple(sorted({t.name for t in _tables(stmt) if t.name in _TENANT_TABLES}))  # type: ignore[arg-type]
    return Plan(compiled.string, names, binders, defaults, tuple(columns), tuple(decoders), touched, ORG in names)


def _tables(stmt: ClauseElement) -> Iterable[Table]:
    for element in visitors.iterate(stmt, {"column_tables": True}):
        if isinstance(element, Table):
            yield element


def check_tenancy(p: Plan, tenant: str | None) -> None:
    if tenant is not None and p.tenant_tables and not p.scoped:
        raise TenancyViolation(f"a statement on {', '.join(p.tenant_tables)} without the organization criterion")


def rowcount_of(status: str) -> int:
    """asyncpg's command tag (`UPDATE 3`, `INSERT 0 3`) → the number of rows."""
    tail = status.rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else -1


def translate(error: BaseException, sql: str) -> BaseException:
    """Driver errors as SQLAlchemy's, so that callers catch one family whatever the engine: a unique or
    foreign-key violation is an IntegrityError; others keep their SQLSTATE (`orig.sqlstate`)."""
    if isinstance(error, asyncpg.IntegrityConstraintViolationError | sqlite3.IntegrityError):
        return exc.IntegrityError(sql, None, error)
    if isinstance(error, asyncpg.PostgresError | sqlite3.DatabaseError):
        return exc.DBAPIError(sql, None, error, connection_invalidated=False)
    return error


StatementListener = Callable[[str, Sequence[Any]], None]  # (SQL text, its positional arguments)


class Sql:
    """One driver connection, borrowed from the engine's pool for one unit of work. A writer's transaction
    begins at its first statement (BEGIN IMMEDIATE on SQLite, so that writers queue for the lock instead
    of failing when a read turns into a write); a reader runs each statement on its own (autocommit)."""

    def __init__(
        self, pool: Any, dialect: Dialect, tenant: str | None, *, write: bool, listeners: list[StatementListener]
    ) -> None:
        self.pool = pool
        self.dialect = dialect
        self.sqlite = dialect.name == "sqlite"
        self.tenant = tenant
        self.write = write
        self.listeners = listeners
        self._fairy: Any = None
        self._driver: Any = None
        self.in_transaction = False
        self.bulk_rows: dict[tuple[str, ...], int] = {}  # rows sent in batches, by the tables written

    async def _connection(self) -> Any:
        if self._driver is None:
            self._fairy = await checkout(self.pool)
            self._driver = self._fairy.driver_connection
        if self.write and not self.in_transaction:
            # In a transaction only once BEGIN succeeded: a BEGIN IMMEDIATE that found the database locked
            # past the busy timeout must not be followed by a ROLLBACK (which fails and hides its error).
            begin = "BEGIN IMMEDIATE" if self.sqlite else "BEGIN"
            try:
                await self._raw(begin)
            except Exception as error:
                raise translate(error, begin) from error
            self.in_transaction = True
        return self._driver

    async def _raw(self, sql: str) -> None:
        for listen in self.listeners:
            listen(sql, ())
        await self._driver.execute(sql)

    def _prepare(self, stmt: Executable) -> Plan:
        p = plan(stmt, self.dialect)
        check_tenancy(p, self.tenant)
        return p

    def _heard(self, p: Plan, args: Sequence[Any]) -> None:
        for listen in self.listeners:
            listen(p.sql, args)

    def _params(self, params: Mapping[str, Any] | None) -> Mapping[str, Any]:
        if self.tenant is None:
            return params or {}
        return {ORG: self.tenant, **(params or {})}

    async def _start(self, stmt: Executable, params: Mapping[str, Any] | None) -> tuple[Plan, Any, list[Any]]:
        """The statement's plan (tenancy checked), the connection, and its arguments, reported to listeners."""
        p = self._prepare(stmt)
        conn = await self._connection()
        args = p.arguments(self._params(params))
        self._heard(p, args)
        return p, conn, args

    async def rows(self, stmt: Executable, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Every row, its values converted by the columns' types."""
        p, conn, args = await self._start(stmt, params)
        try:
            if self.sqlite:
                found = await conn.execute_fetchall(p.sql, args)
            else:
                found = await conn.fetch(p.sql, *args)
        except Exception as error:
            raise translate(error, p.sql) from error
        decode = p.decode
        return [decode(r) for r in found]

    async def row(self, stmt: Executable, params: Mapping[str, Any] | None = None) -> tuple[Any, ...] | None:
        found = await self.rows(stmt, params)
        return found[0] if found else None

    async def scalar(self, stmt: Executable, params: Mapping[str, Any] | None = None) -> Any:
        found = await self.row(stmt, params)
        return None if found is None else found[0]

    async def run(self, stmt: Executable, params: Mapping[str, Any] | None = None) -> int:
        """A statement without rows to read; the number of rows it changed."""
        p, conn, args = await self._start(stmt, params)
        try:
            if self.sqlite:
                cursor = await conn.execute(p.sql, args)
                count = int(cursor.rowcount)
                await cursor.close()
                return count
            return rowcount_of(await conn.execute(p.sql, *args))
        except Exception as error:
            raise translate(error, p.sql) from error

    async def run_many(self, stmt: Executable, params: Sequence[Mapping[str, Any]]) -> None:
        """The same statement for each set of parameters, sent together (asyncpg pipelines them)."""
        if not params:
            return
        p = self._prepare(stmt)
        conn = await self._connection()
        args = [p.arguments(self._params(x)) for x in params]
        for one in args:
            self._heard(p, one)
        self.bulk_rows[p.tenant_tables] = self.bulk_rows.get(p.tenant_tables, 0) + len(args)
        try:
            await conn.executemany(p.sql, args)
        except Exception as error:
            raise translate(error, p.sql) from error

    async def commit(self) -> None:
        if self.in_transaction:
            self.in_transaction = False
            await self._finish("COMMIT")

    async def rollback(self) -> None:
        if self.in_transaction:
            self.in_transaction = False
            await self._finish("ROLLBACK")

    async def _finish(self, sql: str) -> None:
        try:
            await self._raw(sql)
        except Exception as error:
            raise translate(error, sql) from error

    async def release(self, *, failed: bool) -> None:
        """Give the connection back; one whose statement may not have completed is closed, not reused."""
        fairy, self._fairy, self._driver = self._fairy, None, None
        if fairy is None:
            return
        if failed:
            fairy.invalidate()  # terminates the driver connection without waiting
        if hasattr(self.pool, "checkedin") and self.pool.checkedin() < self.pool.size():
            fairy.close()  # back to the queue: no I/O
        else:
            # a pool that closes connections on return (NullPool), or an overflow connection the full queue
            # will not take back: closing it does I/O
            await greenlet_spawn(fairy.close)


async def checkout(pool: Any) -> Any:
    """A connection from SQLAlchemy's pool. Taking an idle one does no I/O and needs no greenlet (no
    pre-ping; connections are recycled by age in `checkout_slow`); opening one does, so that goes through
    SQLAlchemy's greenlet bridge. Measured side by side with asyncpg's pool: bench/RESULTS.md."""
    if getattr(pool, "checkedin", None) and pool.checkedin():
        try:
            return pool.connect()
        except (exc.MissingGreenlet, exc.AwaitRequired):
            pass  # it had to reconnect (an invalidated or recycled connection): do that properly
    return await greenlet_spawn(pool.connect)
