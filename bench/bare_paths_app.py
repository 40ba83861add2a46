"""The baseline of bench_paths.py: a bare Starlette app on the driver (asyncpg's pool on PostgreSQL, a
queue of aiosqlite connections on SQLite) that runs, for each path, the same SQL statements Liaison runs,
written by hand, and answers the same JSON. No authentication, no rate limit, no framework, no GraphQL
parsing: what the request costs when nothing but the database and the JSON stands in between.

BENCH_DSN: `postgresql://…` or `sqlite:///path`; BENCH_ORG: the organization's id."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from ulid import ULID

DSN = os.environ["BENCH_DSN"]
ORG = os.environ["BENCH_ORG"]
SQLITE = DSN.startswith("sqlite")

PERSON_COLUMNS = (
    "id, created_at, updated_at, version, external_refs, given_name, family_name, email, title, manager_id, status,"
    " user_name, department"
)
UNIT_COLUMNS = "id, created_at, updated_at, version, external_refs, name, kind, parent_id, lead_person_id"


def _q(sql: str) -> str:
    return re.sub(r"\$\d+", "?", sql) if SQLITE else sql


class Db:
    """Acquire a connection; fetch / execute with $n placeholders on both drivers."""

    def __init__(self) -> None:
        self.pool: Any = None
        self.queue: asyncio.Queue[Any] = asyncio.Queue()

    async def open(self) -> None:
        if SQLITE:
            import aiosqlite

            for _ in range(16):
                conn = await aiosqlite.connect(DSN.removeprefix("sqlite:///"), isolation_level=None)
                await conn.execute("PRAGMA journal_mode=WAL")
                await conn.execute("PRAGMA busy_timeout=10000")
                await conn.execute("PRAGMA synchronous=NORMAL")
                self.queue.put_nowait(conn)
        else:
            import asyncpg

            self.pool = await asyncpg.create_pool(DSN, min_size=16, max_size=16)

    async def close(self) -> None:
        if SQLITE:
            while not self.queue.empty():
                await self.queue.get_nowait().close()
        else:
            await self.pool.close()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Conn]:
        if SQLITE:
            raw = await self.queue.get()
            try:
                yield Conn(raw)
            finally:
                self.queue.put_nowait(raw)
        else:
            async with self.pool.acquire() as raw:
                yield Conn(raw)


class Conn:
    def __init__(self, raw: Any) -> None:
        self.raw = raw

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        if SQLITE:
            return list(await self.raw.execute_fetchall(_q(sql), args))
        return list(await self.raw.fetch(sql, *args))

    async def execute(self, sql: str, *args: Any) -> None:
        if SQLITE:
            await self.raw.execute(_q(sql), args)
        else:
            await self.raw.execute(sql, *args)


db = Db()


def instant(value: Any) -> str:
    if isinstance(value, str):  # SQLite keeps UTC as text
        value = datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def stored(value: datetime) -> Any:
    return value.replace(tzinfo=None).isoformat(sep=" ") if SQLITE else value


def js(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def person(r: Any) -> dict[str, Any]:
    return {
        "id": r[0],
        "created_at": instant(r[1]),
        "updated_at": instant(r[2]),
        "version": r[3],
        "external_refs": js(r[4]),
        "given_name": r[5],
        "family_name": r[6],
        "email": r[7],
        "title": r[8],
        "manager_id": r[9],
        "status": r[10],
        "user_name": r[11],
        "department": r[12],
    }


def unit(r: Any) -> dict[str, Any]:
    return {
        "id": r[0],
        "created_at": instant(r[1]),
        "updated_at": instant(r[2]),
        "version": r[3],
        "external_refs": js(r[4]),
        "name": r[5],
        "kind": r[6],
        "parent_id": r[7],
        "lead_person_id": r[8],
    }


def answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body, separators=(",", ":")), status, headers, media_type="application/json")


def cursor(after: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode().rstrip("=")


def uncursor(value: str) -> str:
    return str(json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))["after"])


GET_PERSON = f"SELECT {PERSON_COLUMNS} FROM people WHERE organization_id = $1 AND id = $2"


async def get_person(request: Request) -> Response:
    async with db.connection() as c:
        rows = await c.fetch(GET_PERSON, ORG, request.path_params["id"])
    if not rows:
        return answer({"status": 404}, 404)
    p = person(rows[0])
    return answer(p, headers={"ETag": f'"{p["id"]}.v{p["version"]}"'})


async def list_people(request: Request) -> Response:
    limit = int(request.query_params.get("limit", "50"))
    after = request.query_params.get("cursor")
    async with db.connection() as c:
        if after:
            rows = await c.fetch(
                f"SELECT {PERSON_COLUMNS} FROM people WHERE organization_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                ORG,
                uncursor(after),
                limit + 1,
            )
        else:
            rows = await c.fetch(
                f"SELECT {PERSON_COLUMNS} FROM people WHERE organization_id = $1 ORDER BY id LIMIT $2",
                ORG,
                limit + 1,
            )
    data = [person(r) for r in rows[:limit]]
    return answer({"data": data, "next_cursor": cursor(data[-1]["id"]) if len(rows) > limit else None})


async def reports(request: Request) -> Response:
    manager = request.path_params["id"]
    async with db.connection() as c:
        if not await c.fetch(GET_PERSON, ORG, manager):
            return answer({"status": 404}, 404)
        rows = await c.fetch(
            f"SELECT {PERSON_COLUMNS} FROM people WHERE organization_id = $1 AND manager_id = $2 ORDER BY id",
            ORG,
            manager,
        )
    return answer({"data": [person(r) for r in rows], "next_cursor": None})


NODE_FIELDS = ("id", "given_name", "family_name", "email", "title")
CAMEL = {"id": "id", "given_name": "givenName", "family_name": "familyName", "email": "email", "title": "title"}


async def graphql(request: Request) -> Response:
    """Two documents, told apart without parsing: `node(id:)` of a person, five fields; or 50 units with
    their members (the three statements Liaison's DataLoaders run)."""
    body = json.loads(await request.body())
    async with db.connection() as c:
        if "node(id" in body["query"]:
            rows = await c.fetch(GET_PERSON, ORG, body["variables"]["id"])
            p = person(rows[0])
            return answer({"data": {"node": {CAMEL[k]: p[k] for k in NODE_FIELDS}}})
        units = await c.fetch(
            f"SELECT {UNIT_COLUMNS} FROM units WHERE organization_id = $1 ORDER BY id LIMIT $2",
            ORG,
            51,
        )
        ids = [u[0] for u in units[:50]]
        in_units = "= ANY($2)" if not SQLITE else "IN (SELECT value FROM json_each($2))"
        members = await c.fetch(
            "SELECT id, person_id, unit_id, starts_on, ends_on FROM memberships "
            f"WHERE organization_id = $1 AND unit_id {in_units} ORDER BY id",
            ORG,
            json.dumps(ids) if SQLITE else ids,
        )
        people_ids = sorted({m[1] for m in members})
        people = await c.fetch(
            f"SELECT {PERSON_COLUMNS} FROM people WHERE organization_id = $1 AND id {in_units} ORDER BY id",
            ORG,
            json.dumps(people_ids) if SQLITE else people_ids,
        )
    by_id = {p[0]: p for p in people}
    by_unit: dict[str, list[str]] = {}
    for m in members:
        by_unit.setdefault(m[2], []).append(m[1])
    edges = []
    for u in units[:50]:
        seen = list(dict.fromkeys(by_unit.get(u[0], [])))
        edges.append({"node": {"id": u[0], "name": u[5], "members": [{"id": i, "email": by_id[i][7]} for i in seen]}})
    return answer({"data": {"units": {"edges": edges}}})


def event_row(event_type: str, obj: dict[str, Any], previous: dict[str, Any], now: datetime) -> tuple[Any, ...]:
    actor = {"type": "api_client", "id": "bench"}
    data = {"object": obj, "previous_attributes": previous}
    return (f"evt_{ULID()}", event_type, ORG, stored(now), json.dumps(actor), json.dumps(data))


INSERT_EVENT = (
    "INSERT INTO events (id, type, organization_id, occurred_at, actor, data) VALUES ($1, $2, $3, $4, $5, $6)"
)
CLOSE_HISTORY = (
    "UPDATE history SET valid_to = $1 WHERE organization_id = $2 AND collection = $3 AND object_id = $4 "
    "AND valid_to IS NULL"
)
INSERT_HISTORY = (
    "INSERT INTO history (organization_id, collection, object_id, valid_from, valid_to, data) "
    "VALUES ($1, $2, $3, $4, NULL, $5)"
)
ENDPOINTS = "SELECT id, url, event_types FROM webhook_endpoints WHERE organization_id = $1 AND enabled"


async def begin(c: Conn) -> None:
    await c.execute("BEGIN IMMEDIATE" if SQLITE else "BEGIN")


async def patch_person(request: Request) -> Response:
    person_id = request.path_params["id"]
    title = json.loads(await request.body())["title"]
    now = datetime.now(UTC)
    async with db.connection() as c:
        await begin(c)
        try:
            rows = await c.fetch(GET_PERSON + (" FOR UPDATE" if not SQLITE else ""), ORG, person_id)
            before = person(rows[0])
            after = {**before, "title": title, "version": before["version"] + 1, "updated_at": instant(now)}
            await c.execute(
                "UPDATE people SET given_name = $1, family_name = $2, email = $3, title = $4, manager_id = $5, "
                "status = $6, external_refs = $7, updated_at = $8, version = $9, email_key = $10, user_name = $11, "
                "department = $12, user_name_key = $13, sign_in_key = $14 "
                "WHERE organization_id = $15 AND id = $16 AND version = $17",
                after["given_name"],
                after["family_name"],
                after["email"],
                title,
                after["manager_id"],
                after["status"],
                json.dumps(after["external_refs"]),
                stored(now),
                after["version"],
                after["email"].lower(),
                after["user_name"],
                after["department"],
                after["user_name"].lower() if after["user_name"] else None,
                (after["user_name"] or after["email"]).lower(),
                ORG,
                person_id,
                before["version"],
            )
            await c.execute(CLOSE_HISTORY, stored(now), ORG, "people", person_id)
            await c.execute(INSERT_HISTORY, ORG, "people", person_id, stored(now), json.dumps(after))
            await c.execute(INSERT_EVENT, *event_row("person.updated", after, {"title": before["title"]}, now))
            await c.fetch(ENDPOINTS, ORG)
            await c.execute("COMMIT")
        except BaseException:
            await c.execute("ROLLBACK")
            raise
    return answer(after, headers={"ETag": f'"{person_id}.v{after["version"]}"'})


async def create_unit(request: Request) -> Response:
    raw = await request.body()
    body = json.loads(raw)
    key = request.headers["idempotency-key"]
    now = datetime.now(UTC)
    unit_id = f"unit_{ULID()}"
    created = {
        "id": unit_id,
        "created_at": instant(now),
        "updated_at": instant(now),
        "version": 1,
        "external_refs": {},
        "name": body["name"],
        "kind": body["kind"],
        "parent_id": None,
        "lead_person_id": None,
    }
    async with db.connection() as c:
        await begin(c)
        try:
            await c.fetch(
                "SELECT fingerprint, status_code, body, headers FROM idempotency_keys WHERE organization_id = $1 "
                "AND client_id = $2 AND key = $3 AND expires_at > $4",
                ORG,
                "bench",
                key,
                stored(now),
            )
            await c.execute(
                "DELETE FROM idempotency_keys WHERE organization_id = $1 AND client_id = $2 AND key = $3 "
                "AND expires_at <= $4",
                ORG,
                "bench",
                key,
                stored(now),
            )
            await c.execute(
                "INSERT INTO idempotency_keys (organization_id, client_id, key, fingerprint, status_code, body, "
                "headers, created_at, expires_at) VALUES ($1, $2, $3, $4, 0, NULL, $5, $6, $7)",
                ORG,
                "bench",
                key,
                "f" * 64,
                "{}",
                stored(now),
                stored(now),
            )
            await c.execute(
                "INSERT INTO units (id, organization_id, name, kind, parent_id, lead_person_id, external_refs, "
                "created_at, updated_at, version) VALUES ($1, $2, $3, $4, NULL, NULL, $5, $6, $7, 1)",
                unit_id,
                ORG,
                body["name"],
                body["kind"],
                "{}",
                stored(now),
                stored(now),
            )
            await c.execute(CLOSE_HISTORY, stored(now), ORG, "units", unit_id)
            await c.execute(INSERT_HISTORY, ORG, "units", unit_id, stored(now), json.dumps(created))
            await c.execute(
                "UPDATE idempotency_keys SET status_code = $1, body = $2, headers = $3 WHERE organization_id = $4 "
                "AND client_id = $5 AND key = $6",
                201,
                json.dumps(created),
                json.dumps({"etag": f'"{unit_id}.v1"', "location": f"/v1/units/{unit_id}"}),
                ORG,
                "bench",
                key,
            )
            await c.execute(INSERT_EVENT, *event_row("unit.created", created, {}, now))
            await c.fetch(ENDPOINTS, ORG)
            await c.execute("COMMIT")
        except BaseException:
            await c.execute("ROLLBACK")
            raise
    return answer(created, 201, {"ETag": f'"{unit_id}.v1"', "Location": f"/v1/units/{unit_id}"})


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    await db.open()
    yield
    await db.close()


async def health(_request: Request) -> Response:
    return answer({"status": "ok"})


app = Starlette(
    routes=[
        Route("/healthz", health),
        Route("/v1/people", list_people),
        Route("/v1/people/{id}", get_person),
        Route("/v1/people/{id}", patch_person, methods=["PATCH"]),
        Route("/v1/people/{id}/reports", reports),
        Route("/v1/units", create_unit, methods=["POST"]),
        Route("/graphql", graphql, methods=["POST"]),
    ],
    lifespan=lifespan,
)
