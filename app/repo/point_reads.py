"""One object by id, the hottest read there is: a single statement with the organization written into
it, its row decoded by the columns' own types into the domain object. Repositories use it inside their
session; `PointReads` runs it on a pooled driver connection with no session at all, for the HTTP edge's
point-read lane (app/api/point_reads.py)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from dataclasses import fields as dc_fields
from types import SimpleNamespace
from typing import Any, Generic, TypeVar

import asyncpg
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


class ReadConnections:
    """Up to `size` driver connections for point reads: opened on demand, reused last in first out,
    closed after `max_idle` seconds unused (checked at each use and by a timer). Asking when all are busy waits for the next one given back.

    Not asyncpg's pool, which is what this first was: its release runs in a task of its own (for
    shielding from cancellation) and costs a point read about a third of its database CPU, measured
    side by side (26-31 against 41-49 us per read, 16 at a time). Here nothing is left to shield: a
    connection whose read did not complete is never reused, it is terminated."""

    def __init__(self, connect: Callable[[], Awaitable[Any]], size: int, max_idle: float = 300.0) -> None:
        self._connect = connect
        self.size = size
        self.max_idle = max_idle
        self._idle: list[tuple[Any, float]] = []  # (connection, given back at), the newest last
        self._waiting: deque[asyncio.Future[Any]] = deque()  # each gets a connection, or None: open one
        self.opened = 0  # connections open or being opened, in use or idle
        self._closed = False
        self._closing: set[asyncio.Task[Any]] = set()
        self._reaper: asyncio.TimerHandle | None = None

    @property
    def idle(self) -> int:
        return len(self._idle)

    async def acquire(self) -> Any:
        if self._closed:
            raise RuntimeError("The point-read connections are closed.")
        self._close_stale()
        while self._idle:
            connection, _ = self._idle.pop()
            if not connection.is_closed():
                return connection
            self.opened -= 1
            self._close_later(connection)
        if self.opened < self.size:
            self.opened += 1
            return await self._open()
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            connection = await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                # Handed a connection (or a free place) just as this task was cancelled: pass it on.
                self._give_back(waiter.result())
            else:
                with contextlib.suppress(ValueError):  # a hand-out may have passed it over already
                    self._waiting.remove(waiter)
            raise
        return connection if connection is not None else await self._open()

    async def _open(self) -> Any:
        """Opens the connection of a place already counted in `opened`."""
        try:
            return await self._connect()
        except BaseException:
            self._free_a_place()
            raise

    def release(self, connection: Any, *, reusable: bool) -> None:
        if not reusable or self._closed or connection.is_closed():
            connection.terminate()
            self._free_a_place()
            return
        self._give_back(connection)

    def _give_back(self, connection: Any) -> None:
        if connection is None:
            self._free_a_place()
            return
        if self._closed:
            connection.terminate()
            self.opened -= 1
            return
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        self._idle.append((connection, time.monotonic()))
        self._close_stale()

    def _close_stale(self) -> None:
        """Closes the connections unused for `max_idle` seconds: the oldest given back, at the bottom of the
        stack. A timer looks again when the next one will be stale, so that quiet hours close them too."""
        now = time.monotonic()
        while self._idle and now - self._idle[0][1] > self.max_idle:
            connection, _ = self._idle.pop(0)
            self.opened -= 1
            self._close_later(connection)
        if self._idle and self._reaper is None and not self._closed:
            wait = self._idle[0][1] + self.max_idle - now
            self._reaper = asyncio.get_running_loop().call_later(max(wait, 0) + 0.01, self._reap)

    def _reap(self) -> None:
        self._reaper = None
        self._close_stale()

    def _free_a_place(self) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the place passes to it: `opened` stays as it is
                return
        self.opened -= 1

    def _close_later(self, connection: Any) -> None:
        task = asyncio.ensure_future(connection.close(timeout=5))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def close(self) -> None:
        self._closed = True
        if self._reaper is not None:
            self._reaper.cancel()
            self._reaper = None
        idle, self._idle = self._idle, []
        self.opened -= len(idle)
        for waiter in self._waiting:
            if not waiter.done():
                waiter.set_exception(RuntimeError("The point-read connections are closed."))
        self._waiting.clear()
        await asyncio.gather(*(c.close(timeout=5) for c, _ in idle), *self._closing, return_exceptions=True)


class PointReads:
    """Point reads without a session. Each read names its organization, which the statement filters on
    like every repository does.

    On PostgreSQL they run on asyncpg connections of their own (ReadConnections): checking a connection
    out of SQLAlchemy's async pool and back costs two greenlet switches, which measured as much CPU as the
    statement itself. Every read is one autocommitted SELECT, which leaves nothing on the connection to
    reset. On SQLite (no pool to speak of) they borrow the engine's."""

    # Options of SQLAlchemy's asyncpg adapter, not of asyncpg.connect().
    ADAPTER_OPTIONS = ("prepared_statement_cache_size", "prepared_statement_name_func", "async_creator_fn")

    def __init__(self, engine: AsyncEngine, pool_size: int = 10) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self.connections = ReadConnections(self._connect, pool_size)

    async def _connect(self) -> Any:
        _, options = self.engine.dialect.create_connect_args(self.engine.url)
        for name in self.ADAPTER_OPTIONS:
            options.pop(name, None)
        connection = await asyncpg.connect(**options)
        try:
            # The JSON codecs SQLAlchemy's asyncpg dialect registers on its own connections (its documented
            # hooks, which read the driver connection from `_connection`): one plan decodes rows from both.
            adapted = SimpleNamespace(_connection=connection)
            dialect: Any = self.engine.dialect
            await dialect.setup_asyncpg_json_codec(adapted)
            await dialect.setup_asyncpg_jsonb_codec(adapted)
        except BaseException:
            connection.terminate()
            raise
        return connection

    async def get(self, row: type[Any], entity: type[E], organization_id: str, object_id: str) -> E | None:
        plan = point_read_plan(row, entity, self.engine.dialect)
        if not self.sqlite:
            connection = await self.connections.acquire()
            reusable = False
            try:
                values = await connection.fetchrow(plan.sql, organization_id, object_id)
                reusable = True
            except asyncpg.PostgresError:
                # The server refused the statement and said so: the connection is in step, and idle again.
                reusable = not connection.is_closed()
                raise
            finally:
                self.connections.release(connection, reusable=reusable)
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
        await self.connections.close()
