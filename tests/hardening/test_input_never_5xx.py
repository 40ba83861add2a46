"""Class 3 of the hardening review: no input gives a 5xx. Each kind of bad text (U+0000, lone UTF-16
surrogates, control characters), each way in (JSON values and keys, merge patches, GraphQL variables and
literals, ids, cursors, query strings, headers), on both engines: a 4xx problem or a GraphQL error."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from tests.factories import make_org

MERGE = {"content-type": "application/merge-patch+json"}
JSON = {"content-type": "application/json"}


def cursor(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


FORGED_CURSORS = [
    cursor(b'{"after": "\\ud800"}'),  # a lone surrogate
    cursor(b'{"after": "\\udfff x"}'),
    cursor(b'{"after": "a\\u0000b"}'),  # NUL
    cursor(b'{"after": "unit_1\\n"}'),  # a control character
    cursor(b"[" * 5000 + b"]" * 5000),  # deep nesting: RecursionError in json
    cursor(b'{"after": ' + b"[" * 3000 + b"]" * 3000 + b"}"),
    cursor(b'{"after": 12}'),
    cursor(b"[]"),
    cursor(b'"after"'),
    cursor(b"\xff\xfe"),
    "A" * 10_000,  # too long to be ours
    "!!!",
]


async def _fixtures(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, Any]]:
    _org, h = await make_org(client)
    person = (
        await client.post("/v1/people", json={"given_name": "A", "family_name": "B", "email": "a@b.test"}, headers=h)
    ).json()
    unit = (await client.post("/v1/units", json={"name": "U", "kind": "team"}, headers=h)).json()
    m = await client.post("/v1/memberships", json={"person_id": person["id"], "unit_id": unit["id"]}, headers=h)
    return h, {"person": person, "unit": unit, "membership": m.json()}


def assert_client_error(r: httpx.Response, what: object) -> None:
    assert 400 <= r.status_code < 500, (what, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("application/problem+json"), (what, r.headers)


@pytest.mark.parametrize("path", ["/v1/units", "/v1/people", "/v1/memberships", "/v1/events", "/v1/api-clients"])
async def test_forged_cursors_are_422_on_every_collection(client: httpx.AsyncClient, path: str) -> None:
    _org, h = await make_org(client)
    for c in FORGED_CURSORS:
        r = await client.get(path, params={"cursor": c}, headers=h)
        assert_client_error(r, c[:40])
        assert r.status_code == 422


async def test_forged_cursors_are_errors_in_graphql(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    for c in FORGED_CURSORS[:6]:
        r = await client.post(
            "/graphql",
            json={"query": "query($c: String){ units(after: $c) { edges { node { id } } } }", "variables": {"c": c}},
            headers=h,
        )
        assert r.status_code in (200, 400), r.text
        assert r.json()["errors"][0]["extensions"]["code"] in ("BAD_USER_INPUT", "invalid", "invalid-request"), r.text


async def test_merge_patch_null_on_every_field_of_every_collection(client: httpx.AsyncClient) -> None:
    """`null` removes a member (RFC 7396): on a field an object cannot lack, a 422 naming it."""
    h, objs = await _fixtures(client)
    for kind, path in (("unit", "units"), ("person", "people"), ("membership", "memberships")):
        obj = objs[kind]
        for name in obj:
            r = await client.patch(f"/v1/{path}/{obj['id']}", content=json.dumps({name: None}), headers={**h, **MERGE})
            assert r.status_code < 500, (kind, name, r.text)
            if r.status_code == 422:
                assert r.json()["errors"][0]["field"] == f"/{name}", (kind, name, r.text)
    client_ = (await client.post("/v1/api-clients", json={"name": "c", "scopes": ["org:read"]}, headers=h)).json()
    for name in client_:
        r = await client.patch(
            f"/v1/api-clients/{client_['id']}", content=json.dumps({name: None}), headers={**h, **MERGE}
        )
        assert r.status_code < 500, (name, r.text)
    person = objs["person"]
    assert (await client.get(f"/v1/people/{person['id']}", headers=h)).json()["status"] == "active"


BAD_TEXT = ["\\ud800", "\\udc80x", "a\\ud83d", "\\u0000"]


async def test_unstorable_text_in_json_values_and_keys(client: httpx.AsyncClient) -> None:
    h, objs = await _fixtures(client)
    unit = objs["unit"]
    for bad in BAD_TEXT:
        bodies = [
            ("POST", "/v1/units", f'{{"name": "{bad}", "kind": "team"}}', JSON),
            ("POST", "/v1/units", f'{{"{bad}": 1, "name": "x", "kind": "team"}}', JSON),
            ("POST", "/v1/units", f'{{"name": "x", "kind": "team", "external_refs": {{"sap": "{bad}"}}}}', JSON),
            ("POST", "/v1/units", f'{{"name": "x", "kind": "team", "external_refs": {{"{bad}": "1"}}}}', JSON),
            ("PATCH", f"/v1/units/{unit['id']}", f'{{"name": "{bad}"}}', MERGE),
            (
                "PATCH",
                f"/v1/units/{unit['id']}",
                f'{{"links": [{{"title": "{bad}", "url": "https://x.test"}}]}}',
                MERGE,
            ),
            ("POST", "/v1/sync/org-chart", f'{{"system": "{bad}", "people": []}}', JSON),
            (
                "POST",
                "/v1/sync/org-chart",
                f'{{"system": "hr", "units": [{{"external_id": "{bad}", "name": "x"}}]}}',
                JSON,
            ),
            (
                "PUT",
                "/v1/people/by-external-ref/hr/E1",
                f'{{"given_name": "{bad}", "family_name": "x", "email": "e@x.test"}}',
                JSON,
            ),
            ("POST", "/v1/webhook-endpoints", f'{{"url": "https://example.com/", "event_types": ["{bad}"]}}', JSON),
            ("POST", "/v1/api-clients", f'{{"name": "{bad}", "scopes": ["org:read"]}}', JSON),
        ]
        for method, path, body, headers in bodies:
            r = await client.request(method, path, content=body.encode(), headers={**h, **headers})
            assert_client_error(r, (method, path, body))


async def test_unstorable_text_in_graphql_variables_literals_and_ids(client: httpx.AsyncClient) -> None:
    h, _objs = await _fixtures(client)
    raw_bodies = [
        # a JSON-level escape in the variables
        b'{"query": "query($id: ID!){ node(id: $id) { id } }", "variables": {"id": "\\ud800"}}',
        b'{"query": "mutation($n: String!){ createUnit(input: {name: $n, kind: \\"team\\"}) { userErrors { code } } }",'
        b' "variables": {"n": "x\\udc80"}}',
        # a GraphQL-level escape inside the document
        b'{"query": "{ node(id: \\"\\\\ud800\\") { id } }"}',
        b'{"query": "mutation { createUnit(input: {name: \\"\\\\udc80\\", kind: \\"team\\"}) { userErrors { code } } }"}',
        b'{"query": "mutation { createUnit(input: {name: \\"\\\\u0000\\", kind: \\"team\\"}) { userErrors { code } } }"}',
        b'{"query": "{ units(after: \\"\\\\ud800\\") { edges { node { id } } } }"}',
        b'{"query": "{ units(first: 5, after: \\"'
        + cursor(b'{"after": "\\ud800"}').encode()
        + b'\\") { edges { node { id } } } }"}',
    ]
    for body in raw_bodies:
        r = await client.post("/graphql", content=body, headers={**h, **JSON})
        assert r.status_code < 500, (body, r.text)
        data = r.json()
        user_errors = [
            e for v in (data.get("data") or {}).values() if isinstance(v, dict) for e in v.get("userErrors", [])
        ]
        assert data.get("errors") or user_errors, (body, r.text)
    for params in (
        {"query": "query($id: ID!){ node(id: $id) { id } }", "variables": '{"id": "\\ud800"}'},
        {"query": '{ node(id: "\\ud800") { id } }'},
        {"query": "{ units { edges { node { id } } } }", "variables": "[" * 5000},
    ):
        r = await client.get("/graphql", params=params, headers={**h, "accept": "application/json"})
        assert r.status_code < 500, (params, r.text)


async def test_odd_ids_query_strings_and_headers(client: httpx.AsyncClient) -> None:
    h, _objs = await _fixtures(client)
    for path in (
        "/v1/units/%ED%A0%80",
        "/v1/units/%FF%FE",
        "/v1/units/unit_%0A",
        "/v1/units/" + "x" * 5000,
        "/v1/people/by-external-ref/hr/%ED%A0%80",
        "/v1/units?external_ref=hr:%ED%A0%80",
        "/v1/units?external_ref=%0A:%0A",
        "/v1/units?link_url=%ED%A0%80",
        "/v1/units?updated_since=%ED%A0%80",
        "/v1/units?limit=%ED%A0%80",
        "/v1/events?type=unit.%ED%A0%80",
        "/v1/units?as_of=9999999-01-01",
    ):
        r = await client.get(path, headers=h)
        assert r.status_code < 500, (path, r.text)
    for key in (b"\x7f", b"a\tb", "é".encode() * 150, b"\xff\xfe"):
        r = await client.post("/v1/units", json={"name": "x", "kind": "team"}, headers={**h, "Idempotency-Key": key})
        assert r.status_code < 500, (key, r.text)
    r = await client.patch("/v1/units/x", json={}, headers={**h, "If-Match": b'"\xff"'})
    assert r.status_code < 500
    unit = _objs["unit"]["id"]
    for tag in (f'"{unit}.v\u00b2"'.encode(), f'"{unit}.v{"9" * 5000}"'.encode(), f'"{unit}.v\u0661"'.encode()):
        merge = {**h, "content-type": "application/merge-patch+json", "If-Match": tag}
        r = await client.patch(f"/v1/units/{unit}", content=b"{}", headers=merge)
        assert r.status_code == 412, (tag[:30], r.text)


async def test_deeply_nested_graphql_variables(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    deep: Any = 1
    for _ in range(400):
        deep = {"a": deep}
    for query in (
        "{ viewer { scopes } }",
        'mutation($r: JSON){ createUnit(input: {name: "n", kind: "team", externalRefs: $r}) { unit { id } } }',
    ):
        r = await client.post("/graphql", json={"query": query, "variables": {"r": deep}}, headers=h)
        assert r.status_code < 500 and r.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", r.text[:300]
        if query.startswith("mutation"):
            continue  # GET runs no mutation
        r = await client.get("/graphql", params={"query": query, "variables": json.dumps({"r": deep})}, headers=h)
        assert r.status_code < 500 and r.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", r.text[:300]
