"""Fixtures: every test that touches the database runs on SQLite and on PostgreSQL.

The PostgreSQL side uses a database of its own, made for the session and dropped after it, migrated
with the real Alembic history; each test starts from empty tables. With LIAISON_TEST_POSTGRES=required
a PostgreSQL that does not answer fails the run instead of skipping its half."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest
from sqlalchemy import text

from app.main import create_app
from app.observability import configure_logging
from app.repo.engine import make_engine
from app.repo.migrate import upgrade
from app.repo.tables import metadata
from app.settings import Settings
from tests.factories import JWT_SECRET

PG_HOST = os.environ.get("LIAISON_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("LIAISON_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("LIAISON_TEST_PG_USER", "postgres")
PG_REQUIRED = os.environ.get("LIAISON_TEST_POSTGRES", "").lower() == "required"
ENGINES = ["sqlite", "postgresql"]

configure_logging("INFO", json_logs=True)  # as `liaison serve` does: JSON lines on stderr


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres", timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _postgres_or_skip() -> None:
    try:
        asyncio.run(_pg_admin("SELECT 1"))
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        message = f"PostgreSQL at {PG_HOST}:{PG_PORT} does not answer: {exc!r}"
        if PG_REQUIRED:
            pytest.fail(message + " (LIAISON_TEST_POSTGRES=required)", pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="session", params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sqlite') / 'liaison.db'}"
        upgrade(url)
        yield url
        return
    _postgres_or_skip()
    name = f"liaison_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    url = f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "jwt_secret": JWT_SECRET,
        "auto_migrate": False,
        "rate_limit": "100000/minute",
        "log_json": True,
        # receivers in tests listen on 127.0.0.1; the SSRF tests turn this off again
        "webhook_allow_private_networks": True,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


async def empty_tables(database_url: str) -> None:
    engine = make_engine(database_url, null_pool=True)
    try:
        async with engine.begin() as conn:
            tables = [t.name for t in reversed(metadata.sorted_tables)]
            if engine.dialect.name == "postgresql":
                await conn.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
            else:
                for name in tables:
                    await conn.execute(text(f"DELETE FROM {name}"))
    finally:
        await engine.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[object]:
    application = create_app(settings)
    try:
        yield application
    finally:
        await application.state.db.dispose()
        await empty_tables(settings.database_url)


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://liaison.test") as c:
        yield c


@pytest.fixture
def engine_name(database_url: str) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line that shows the database tests ran on both engines."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            if getattr(report, "when", "call") != "call" and outcome == "passed":
                continue
            for engine in ENGINES:
                if f"[{engine}" in nodeid or f"-{engine}]" in nodeid or f"-{engine}-" in nodeid:
                    counts.setdefault(engine, {}).setdefault(outcome, 0)
                    counts[engine][outcome] += 1
    from tests.worker.test_worker_processes import REPORT

    for line in REPORT:
        terminalreporter.write_line(line)
    if counts:
        parts = [f"{engine}: " + ", ".join(f"{n} {o}" for o, n in sorted(c.items())) for engine, c in counts.items()]
        terminalreporter.write_line("database tests by engine — " + "; ".join(parts))
