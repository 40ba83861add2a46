"""openapi/openapi.json and openapi/schema.graphql are what the code serves; drift fails here.
Regenerate them with `make openapi`."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from graphql import build_client_schema, build_schema, get_introspection_query, lexicographic_sort_schema, print_schema

from app.export import render_openapi
from app.graphql.schema import schema_sdl
from tests.factories import bearer, make_org

OPENAPI = Path(__file__).resolve().parents[1] / "openapi"


async def test_served_openapi_is_3_1_and_equals_the_committed_file(client: httpx.AsyncClient) -> None:
    served = (await client.get("/openapi.json")).json()
    assert served["openapi"].startswith("3.1")
    committed = (OPENAPI / "openapi.json").read_text()
    assert render_openapi(served) == committed, "openapi/openapi.json is stale: run `make openapi`"


async def test_openapi_declares_the_console_auth(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    schemes = spec["components"]["securitySchemes"]
    flow = schemes["OAuth2ClientCredentials"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/v1/oauth/token"
    assert schemes["BearerJWT"]["scheme"] == "bearer"
    op = spec["paths"]["/v1/api-clients"]["get"]
    assert {"OAuth2ClientCredentials": []} in op["security"] and {"BearerJWT": []} in op["security"]


async def test_committed_graphql_schema_equals_the_served_one(client: httpx.AsyncClient) -> None:
    committed = (OPENAPI / "schema.graphql").read_text()
    assert schema_sdl() == committed, "openapi/schema.graphql is stale: run `make openapi`"
    org, _ = await make_org(client)
    r = await client.post(
        "/graphql", json={"query": get_introspection_query(specified_by_url=True)}, headers=bearer(org, "org:read")
    )
    assert r.status_code == 200, r.text
    served = print_schema(lexicographic_sort_schema(build_client_schema(r.json()["data"])))
    assert served == print_schema(lexicographic_sort_schema(build_schema(committed)))


def test_openapi_json_is_valid_json() -> None:
    json.loads((OPENAPI / "openapi.json").read_text())


def test_the_reference_in_docs_is_what_the_code_defines() -> None:
    from app.export import DOCS, reference

    assert (DOCS / "reference.md").read_text() == reference(), "docs/reference.md is stale: run `make openapi`"
