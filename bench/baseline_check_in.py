"""The check-in baseline: a bare Starlette + asyncpg app whose POST /check-ins writes the same rows as a
check-in on a leaf of a cascade, in one transaction, by hand: the check-in, its key result, and every
objective from the leaf's up to the root (found with one recursive query, locked in id order so that
concurrent check-ins do not deadlock), with no arithmetic, history or events: the least any
implementation has to write."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

DSN = os.environ["BENCH_DSN"]
ORG = os.environ["BENCH_ORG"]
pool: asyncpg.Pool | None = None

INSERT = """INSERT INTO check_ins (id, organization_id, key_result_id, objective_id, value, confidence, note,
            author_person_id, author, external_refs, created_at, updated_at, version)
            SELECT $1, $2::varchar, id, objective_id, $4, NULL, NULL, NULL, '{}'::jsonb, '{}'::jsonb, now(), now(), 1
            FROM key_results WHERE organization_id = $2::varchar AND id = $3"""
KEY_RESULT = """UPDATE key_results SET current_value = $3, progress = least(1, greatest(0,
                ($3 - start_value) / (target_value - start_value))), last_check_in_at = now(), updated_at = now(),
                version = version + 1 WHERE organization_id = $1 AND id = $2 RETURNING objective_id"""
CHAIN = """WITH RECURSIVE up(id) AS (
             SELECT $2::varchar UNION ALL
             SELECT o.parent_id FROM objectives o JOIN up ON o.id = up.id
             WHERE o.organization_id = $1 AND o.parent_id IS NOT NULL),
           locked AS (SELECT o.id FROM objectives o WHERE o.organization_id = $1 AND o.id IN (SELECT id FROM up)
                      ORDER BY o.id FOR NO KEY UPDATE)
           UPDATE objectives SET progress = progress, updated_at = now(), version = version + 1
           WHERE organization_id = $1 AND id IN (SELECT id FROM locked)"""


async def check_in(request: Request) -> JSONResponse:
    body = json.loads(await request.body())
    assert pool is not None
    async with pool.acquire() as conn, conn.transaction():
        chk = f"chk_{uuid.uuid4().hex[:26]}"
        await conn.execute(INSERT, chk, ORG, body["key_result_id"], float(body["value"]))
        objective = await conn.fetchval(KEY_RESULT, ORG, body["key_result_id"], float(body["value"]))
        await conn.execute(CHAIN, ORG, objective)
    return JSONResponse({"id": chk}, status_code=201)


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    global pool
    pool = await asyncpg.create_pool(DSN, min_size=4, max_size=16)
    yield
    await pool.close()


app = Starlette(routes=[Route("/check-ins", check_in, methods=["POST"])], lifespan=lifespan)
