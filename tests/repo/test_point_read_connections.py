"""The point reads' own PostgreSQL connections (app/repo/point_reads.py: ReadConnections): never more than
their number, waiters served in turn, a read cut short never reused, a dead or stale connection replaced.
PostgreSQL only: on SQLite point reads borrow the engine's connection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from app.repo.engine import make_engine
from app.repo.org_chart import PersonRepository
from app.repo.point_reads import PointReads
from tests.api.test_org_chart import person
from tests.factories import make_org


@pytest.fixture
async def admin(engine_name: str, database_url: str) -> AsyncIterator[asyncpg.Connection]:
    if engine_name != "postgresql":
        pytest.skip("point reads have connections of their own on PostgreSQL only")
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        yield conn
    finally:
        await conn.close()


@pytest.fixture
async def reads(admin: asyncpg.Connection, database_url: str) -> AsyncIterator[PointReads]:
    engine = make_engine(database_url, null_pool=True)
    point_reads = PointReads(engine, pool_size=3)
    try:
        yield point_reads
    finally:
        await point_reads.close()
        await engine.dispose()


async def someone(client: httpx.AsyncClient) -> tuple[str, str]:
    org, h = await make_org(client)
    return org, (await person(client, h, "Ada"))["id"]


async def backends(admin: asyncpg.Connection) -> int:
    """Connections to this database other than the admin's own and the app's (its pool is idle)."""
    return int(
        await admin.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND query LIKE 'SELECT %FROM \"people\"%'"
        )
    )


async def test_never_more_than_their_number_and_every_waiter_is_served(
    client: httpx.AsyncClient, admin: asyncpg.Connection, reads: PointReads
) -> None:
    org, ada = await someone(client)
    peak = 0

    async def read() -> Any:
        nonlocal peak
        peak = max(peak, reads.connections.opened)
        found = await reads.get(PersonRepository.row, PersonRepository.entity, org, ada)
        peak = max(peak, reads.connections.opened)
        return found

    found = await asyncio.gather(*[read() for _ in range(40)])
    assert [p.id for p in found] == [ada] * 40
    assert peak <= 3 and reads.connections.opened <= 3
    assert reads.connections.idle == reads.connections.opened  # every one given back
    assert await backends(admin) <= 3


async def test_a_read_cut_short_is_never_reused(
    client: httpx.AsyncClient, admin: asyncpg.Connection, reads: PointReads
) -> None:
    org, ada = await someone(client)
    await reads.get(PersonRepository.row, PersonRepository.entity, org, ada)
    assert (reads.connections.opened, reads.connections.idle) == (1, 1)
    # Another transaction holds the table: the read waits on the server, and is cancelled there.
    async with admin.transaction():
        await admin.execute("LOCK TABLE people IN ACCESS EXCLUSIVE MODE")
        blocked = asyncio.ensure_future(reads.get(PersonRepository.row, PersonRepository.entity, org, ada))
        await asyncio.sleep(0.3)
        assert not blocked.done()
        blocked.cancel()
        with pytest.raises(asyncio.CancelledError):
            await blocked
    assert (reads.connections.opened, reads.connections.idle) == (0, 0)  # terminated, not put back
    again = await reads.get(PersonRepository.row, PersonRepository.entity, org, ada)
    assert again is not None and again.id == ada


async def test_a_refused_statement_keeps_its_connection_and_a_dead_one_is_replaced(
    client: httpx.AsyncClient, admin: asyncpg.Connection, reads: PointReads
) -> None:
    org, ada = await someone(client)
    with pytest.raises(asyncpg.PostgresError):  # PostgreSQL refuses a NUL character in text
        await reads.get(PersonRepository.row, PersonRepository.entity, org, "person_\x00")
    assert (reads.connections.opened, reads.connections.idle) == (1, 1)
    [pid] = [c.get_server_pid() for c, _ in reads.connections._idle]
    assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    await asyncio.sleep(0.5)  # the client notices the closed socket
    found = await reads.get(PersonRepository.row, PersonRepository.entity, org, ada)
    assert found is not None and found.id == ada
    assert reads.connections.opened == 1
    assert [c.get_server_pid() for c, _ in reads.connections._idle] != [pid]


async def test_idle_connections_are_closed_and_closing_refuses_new_reads(
    client: httpx.AsyncClient, admin: asyncpg.Connection, reads: PointReads
) -> None:
    org, ada = await someone(client)
    reads.connections.max_idle = 0.2
    await reads.get(PersonRepository.row, PersonRepository.entity, org, ada)
    [first] = [c.get_server_pid() for c, _ in reads.connections._idle]
    await asyncio.sleep(0.4)
    await reads.get(PersonRepository.row, PersonRepository.entity, org, ada)
    [second] = [c.get_server_pid() for c, _ in reads.connections._idle]
    assert second != first and reads.connections.opened == 1
    await asyncio.sleep(0.2)
    assert not await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", first)
    await reads.close()
    assert reads.connections.opened == 0
    with pytest.raises(RuntimeError):
        await reads.get(PersonRepository.row, PersonRepository.entity, org, ada)


async def test_a_waiter_cancelled_as_a_connection_is_handed_out_stays_cancelled(
    client: httpx.AsyncClient, reads: PointReads
) -> None:
    connections = reads.connections
    connections.size = 1
    held = await connections.acquire()
    waiter = asyncio.ensure_future(connections.acquire())
    await asyncio.sleep(0.05)
    assert not waiter.done()
    waiter.cancel()  # and, in the same turn of the loop, the connection comes back
    connections.release(held, reusable=True)
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert (connections.opened, connections.idle) == (1, 1)
    again = await connections.acquire()
    assert again is held
    connections.release(again, reusable=True)


async def test_after_a_burst_the_extra_connections_close_under_light_traffic_and_in_silence(
    client: httpx.AsyncClient, admin: asyncpg.Connection, reads: PointReads
) -> None:
    org, ada = await someone(client)
    connections = reads.connections
    connections.max_idle = 0.5
    await asyncio.gather(*[reads.get(PersonRepository.row, PersonRepository.entity, org, ada) for _ in range(12)])
    assert connections.opened == 3
    for _ in range(15):  # one read every 0.1 s reuses one connection; the others go stale
        await reads.get(PersonRepository.row, PersonRepository.entity, org, ada)
        await asyncio.sleep(0.1)
    assert connections.opened == 1
    await asyncio.sleep(1.0)  # no traffic at all
    assert (connections.opened, connections.idle) == (0, 0)
    await asyncio.sleep(0.2)
    assert await backends(admin) == 0
