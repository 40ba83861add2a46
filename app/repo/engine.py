"""One async engine factory for PostgreSQL (asyncpg) and SQLite (aiosqlite)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

WRITE_OPTION = "liaison_write"


def make_engine(
    url: str, *, pool_size: int = 20, max_overflow: int = 10, busy_timeout_ms: int = 10_000, null_pool: bool = False
) -> AsyncEngine:
    parsed = make_url(url)
    # Units of work end their own transactions (app/repo/sql.py) before giving a connection back, so the
    # pool has nothing to reset: a rollback on return would be a round trip per request for nothing.
    kwargs: dict[str, Any] = {
        "pool_reset_on_return": None,
        # JSON columns (external refs, event payloads) read and written with orjson, as responses are.
        "json_serializer": _json_text,
        "json_deserializer": orjson.loads,
    }
    if parsed.get_backend_name() == "sqlite":
        if null_pool:
            kwargs["poolclass"] = NullPool
        engine = create_async_engine(url, **kwargs)
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    if null_pool:
        kwargs["poolclass"] = NullPool
    else:
        # No pre-ping: it doubles the round trips of every request; recycling retires old connections, and a
        # connection that died anyway fails its request with a clean error, the next one gets a fresh one.
        kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_recycle=1800)
    return create_async_engine(url, **kwargs)


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    """WAL, foreign keys, a busy timeout, and transactions we begin ourselves: `BEGIN IMMEDIATE` for
    writes, so that two writers queue on the lock instead of failing when a read turns into a write."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let the "begin" hook below emit BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


# Data exceptions that a request's own value causes: too long, out of range, not a valid date or number,
# a character the encoding cannot hold (NUL). Others of class 22 (division by zero, …) stay our fault.
REJECTED_VALUE_SQLSTATES = {"22001", "22003", "22007", "22008", "22021", "22P02", "22P05"}


def is_rejected_value(exc: BaseException) -> bool:
    """PostgreSQL refused a value the request carried: the request's fault, not the database's or ours."""
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "__cause__", None), "sqlstate", None)
    return sqlstate in REJECTED_VALUE_SQLSTATES
