"""The baselines: a bare Starlette + asyncpg app that runs the same queries by hand.

GET /people/{id}: the point read, one statement, JSON out.
GET /org-chart:   one hand-written statement that builds every unit's JSON with its members
                  (json_agg), then a single pass that nests the units, as /v1/org-chart answers."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

DSN = os.environ["BENCH_DSN"]
ORG = os.environ["BENCH_ORG"]
pool: asyncpg.Pool | None = None

PERSON = """SELECT id, given_name, family_name, email, title, manager_id, status, external_refs::text,
                   created_at, updated_at, version
            FROM people WHERE organization_id = $1 AND id = $2"""

CHART = """
SELECT coalesce(json_agg(u ORDER BY u.id), '[]'::json)::text FROM (
  SELECT un.id, to_char(un.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at,
         to_char(un.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS updated_at,
         un.version, un.external_refs, un.name, un.kind, un.parent_id, un.lead_person_id,
         coalesce((SELECT json_agg(json_build_object(
             'person', json_build_object('id', p.id,
                 'created_at', to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                 'updated_at', to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                 'version', p.version, 'external_refs', p.external_refs, 'given_name', p.given_name,
                 'family_name', p.family_name, 'email', p.email, 'title', p.title, 'manager_id', p.manager_id,
                 'status', p.status),
             'membership', json_build_object('id', m.id, 'title', m.title, 'kind', m.kind, 'primary', m.is_primary))
             ORDER BY m.id)
           FROM memberships m JOIN people p ON p.id = m.person_id AND p.organization_id = m.organization_id
           WHERE m.organization_id = un.organization_id AND m.unit_id = un.id
             AND (m.starts_on IS NULL OR m.starts_on <= current_date)
             AND (m.ends_on IS NULL OR m.ends_on >= current_date)), '[]'::json) AS members
  FROM units un WHERE un.organization_id = $1
) u
"""


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    global pool
    pool = await asyncpg.create_pool(DSN, min_size=16, max_size=16)
    yield
    await pool.close()


async def person(request: Request) -> Response:
    assert pool is not None
    async with pool.acquire() as conn:
        row = await conn.fetchrow(PERSON, ORG, request.path_params["id"])
    if row is None:
        return JSONResponse({"status": 404}, status_code=404)
    body = dict(row)
    body["external_refs"] = json.loads(body["external_refs"])
    body["created_at"] = body["created_at"].isoformat()
    body["updated_at"] = body["updated_at"].isoformat()
    return JSONResponse(body)


async def org_chart(request: Request) -> Response:
    assert pool is not None
    async with pool.acquire() as conn:
        units = json.loads(await conn.fetchval(CHART, ORG))
    by_id = {u["id"]: {**u, "children": []} for u in units}
    roots = []
    for u in units:
        node = by_id[u["id"]]
        (by_id[u["parent_id"]]["children"] if u["parent_id"] in by_id else roots).append(node)
    return Response(json.dumps({"data": roots, "next_cursor": None}), media_type="application/json")


app = Starlette(routes=[Route("/people/{id}", person), Route("/org-chart", org_chart)], lifespan=lifespan)
