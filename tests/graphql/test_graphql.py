"""GraphQL: the same caller, the same 401/403/404 semantics and the same answers as REST; limits."""

from __future__ import annotations

import httpx

from tests.factories import bearer, make_api_client, make_org


async def gql(client: httpx.AsyncClient, query: str, headers: dict[str, str], **variables: object) -> httpx.Response:
    return await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


async def test_viewer(client: httpx.AsyncClient) -> None:
    org, h = await make_org(client, "Acme")
    r = await gql(client, "{ viewer { scopes person organization { id name slug } } }", h)
    assert r.status_code == 200
    viewer = r.json()["data"]["viewer"]
    assert viewer["scopes"] == ["admin"] and viewer["person"] is None
    assert viewer["organization"]["id"] == org and viewer["organization"]["name"] == "Acme"


async def test_no_token_or_a_bad_one_is_a_401_problem(client: httpx.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}):
        r = await client.post("/graphql", json={"query": "{ viewer { scopes } }"}, headers=headers)
        assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
        assert r.headers["www-authenticate"].startswith("Bearer")
    r = await client.get("/graphql", params={"query": "{ viewer { scopes } }"})
    assert r.status_code == 401


async def test_missing_scope_is_a_forbidden_error(client: httpx.AsyncClient) -> None:
    org, h = await make_org(client)
    c = await make_api_client(client, h)
    r = await gql(client, "query($id: ID!) { node(id: $id) { id } }", bearer(org, "org:read"), id=c["id"])
    body = r.json()
    assert body["data"] == {"node": None}
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_rest_and_graphql_answer_the_same(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    c = await make_api_client(client, h, name="erp", scopes=["org:read"], external_refs={"sap": "E1"})
    rest = (await client.get(f"/v1/api-clients/{c['id']}", headers=h)).json()
    query = """query($id: ID!) { node(id: $id) { ... on ApiClient {
        id clientId name scopes externalRefs createdAt updatedAt version } } }"""
    node = (await gql(client, query, h, id=c["id"])).json()["data"]["node"]
    assert node == {
        "id": rest["id"],
        "clientId": rest["client_id"],
        "name": rest["name"],
        "scopes": rest["scopes"],
        "externalRefs": rest["external_refs"],
        "createdAt": rest["created_at"],
        "updatedAt": rest["updated_at"],
        "version": rest["version"],
    }
    event = (await client.get("/v1/events", params={"type": "api_client.created"}, headers=h)).json()["data"][0]
    q = "query($id: ID!) { node(id: $id) { ... on Event { id type occurredAt organizationId actor data } } }"
    node = (await gql(client, q, h, id=event["id"])).json()["data"]["node"]
    assert node == {
        "id": event["id"],
        "type": event["type"],
        "occurredAt": event["occurred_at"],
        "organizationId": event["organization_id"],
        "actor": event["actor"],
        "data": event["data"],
    }


async def test_abusive_queries_are_rejected_with_an_error(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    aliases = "{ " + " ".join(f"a{i}: viewer {{ scopes }}" for i in range(40)) + " }"
    r = await gql(client, aliases, h)
    assert r.status_code == 200 and "errors" in r.json() and r.json().get("data") is None
    assert "aliases" in r.json()["errors"][0]["message"].lower()
    tokens = "{ " + " ".join("viewer { scopes }" for _ in range(800)) + " }"
    r = await gql(client, tokens, h)
    assert "errors" in r.json() and "token" in r.json()["errors"][0]["message"].lower()


async def test_depth_limit(database_url: str) -> None:
    from app.main import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(database_url, graphql_max_depth=1))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        _org, h = await make_org(c)
        ok = await gql(c, "{ viewer { scopes } }", h)
        assert ok.json()["data"] == {"viewer": {"scopes": ["admin"]}}
        assert "errors" not in ok.json()
        deep = await gql(c, "{ viewer { organization { id } } }", h)
        assert "exceeds maximum operation depth" in deep.json()["errors"][0]["message"]
    await app.state.db.dispose()


async def test_unexpected_errors_are_masked(client: httpx.AsyncClient, app: object) -> None:
    _org, h = await make_org(client)
    db = app.state.db  # type: ignore[attr-defined]
    original = db.unit_of_work

    def broken(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("connection string with password=hunter2")

    db.unit_of_work = broken
    try:
        r = await gql(client, "{ viewer { organization { id } } }", h)
    finally:
        db.unit_of_work = original
    assert r.status_code == 200
    assert "hunter2" not in r.text
    assert r.json()["errors"][0]["message"].startswith("Internal error")
