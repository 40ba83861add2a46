"""What an outside review of SCIM found, each as its class: IdP phrasings of PATCH (Entra ID's email by
type, a manager as a bare id), the name a person signs in by under races and through the sync, Group changes
that must touch only what the provider sees, inputs that must be 400s in SCIM's shape (never 500s), the
department as a field with its rules and events, and the edge's refusals under /scim/v2."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from tests.factories import bearer
from tests.scim.test_provisioning import (
    ENTERPRISE,
    ERROR,
    GROUP,
    PATCH,
    is_scim_error,
    post_user,
    scim_org,
    user,
)


async def patch_user(client: httpx.AsyncClient, h: dict[str, str], user_id: str, *ops: Any) -> httpx.Response:
    return await client.patch(
        f"/scim/v2/Users/{user_id}", headers=h, json={"schemas": [PATCH], "Operations": list(ops)}
    )


async def test_entra_phrasings_of_patch(client: httpx.AsyncClient) -> None:
    _, h, admin = await scim_org(client)
    boss = await post_user(client, h, user("boss@acme.example", "Grace", "Hopper"))
    ada = await post_user(client, h, user("ada@acme.example", emails=[{"value": "ada@acme.example", "type": "work"}]))
    for op, address in (("Replace", "ada.l@acme.example"), ("Add", "ada.2@acme.example")):
        r = await patch_user(client, h, ada["id"], {"op": op, "path": 'emails[type eq "work"].value', "value": address})
        assert r.status_code == 200 and r.json()["emails"] == [{"value": address}], r.text
    r = await patch_user(
        client, h, ada["id"], {"op": "Add", "value": {'emails[type eq "work"].value': "a3@acme.example"}}
    )
    assert r.status_code == 200 and r.json()["emails"] == [{"value": "a3@acme.example"}], r.text
    # A selection by value is a real filter: it removes nothing when nothing matches.
    r = await patch_user(client, h, ada["id"], {"op": "remove", "path": 'emails[value eq "other@acme.example"]'})
    assert r.status_code == 200 and r.json()["emails"] == [{"value": "a3@acme.example"}], r.text
    # The manager as a bare id, with a path and without one.
    r = await patch_user(client, h, ada["id"], {"op": "Replace", "path": f"{ENTERPRISE}:manager", "value": boss["id"]})
    assert r.status_code == 200 and r.json()[ENTERPRISE]["manager"]["value"] == boss["id"], r.text
    r = await patch_user(client, h, ada["id"], {"op": "Add", "value": {f"{ENTERPRISE}:manager": ada["id"]}})
    assert is_scim_error(r, 409), r.text  # her own manager: the org chart's rule
    person = (await client.get(f"/v1/people/{ada['id']}", headers=admin)).json()
    assert (person["email"], person["manager_id"]) == ("a3@acme.example", boss["id"])


async def test_a_sign_in_name_is_one_persons_under_races_and_through_the_sync(
    client: httpx.AsyncClient, engine_name: str
) -> None:
    _, h, admin = await scim_org(client)
    for i in range(8):
        address = f"race{i}@acme.example"
        scim, rest = await asyncio.gather(
            client.post("/scim/v2/Users", headers=h, json=user(address)),
            client.post(
                "/v1/people", headers=admin, json={"given_name": "Re", "family_name": "St", "email": address.upper()}
            ),
        )
        assert sorted([scim.status_code, rest.status_code]) == [201, 409], (engine_name, scim.text, rest.text)
        found = await client.get("/scim/v2/Users", headers=h, params={"filter": f'userName eq "{address}"'})
        assert found.json()["totalResults"] == 1
    bob = await post_user(client, h, user("bob@acme.example"))
    r = await client.post("/v1/sync/org-chart", headers=admin, json={"system": "hr", "people": [
        {"external_id": "hr-1", "given_name": "Bob", "family_name": "B", "email": "BOB@acme.example"}]})  # fmt: skip
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "/people/0/email", r.text
    assert bob["id"] in r.json()["errors"][0]["message"]


async def test_group_changes_touch_only_what_the_provider_sees(client: httpx.AsyncClient) -> None:
    _, h, admin = await scim_org(client)
    ada, alan, grace = [(await post_user(client, h, user(n)))["id"] for n in ("ada", "alan", "grace")]
    group = (await client.post("/scim/v2/Groups", headers=h, json={
        "schemas": [GROUP], "displayName": "Ops", "members": [{"value": ada}, {"value": alan}]})).json()  # fmt: skip
    future = await client.post("/v1/memberships", headers=admin, json={
        "person_id": grace, "unit_id": group["id"], "starts_on": "2999-01-01"})  # fmt: skip
    assert future.status_code == 201, future.text
    assert (await client.delete(f"/scim/v2/Users/{alan}", headers=h)).status_code == 204
    r = await client.patch(f"/scim/v2/Groups/{group['id']}", headers=h, json={
        "schemas": [PATCH], "Operations": [{"op": "replace", "value": {"displayName": "Operations"}}]})  # fmt: skip
    assert r.status_code == 200 and [m["value"] for m in r.json()["members"]] == [ada], r.text
    running = (await client.get("/v1/memberships", params={"unit_id": group["id"]}, headers=admin)).json()["data"]
    assert {m["person_id"] for m in running} == {ada, alan, grace}  # alan's and grace's were left alone


async def test_inputs_that_were_500s_are_400s_in_scims_shape(client: httpx.AsyncClient) -> None:
    _, h, _ = await scim_org(client)
    await post_user(client, h, user("ada"))
    huge = await client.get("/scim/v2/Users", headers=h, params={"startIndex": "1" + "0" * 30})
    assert huge.status_code == 200 and huge.json()["Resources"] == [] and huge.json()["totalResults"] == 1
    for expression in ('meta.created gt "0001-01-01T00:00:00+05:00"', 'meta.lastModified lt "9999-12-31T23:00:00-05:00"',
                       " or ".join(['userName eq "a"'] * 500), 'title eq "a\\u0000b"'):  # fmt: skip
        for where in ("Users", "Groups"):
            expression_here = (
                expression.replace("userName", "displayName").replace("title", "displayName")
                if where == "Groups"
                else expression
            )
            r = await client.get(f"/scim/v2/{where}", headers=h, params={"filter": expression_here})
            assert is_scim_error(r, 400, "invalidFilter"), (where, expression[:60], r.text)
    for body in ('{"userName": "\\ud800", "name": {"givenName": "A", "familyName": "B"}}',
                 '{"userName": "x", "name": {"givenName": "A", "familyName": "B"}, '
                 '"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "\\ud800"}}'):  # fmt: skip
        r = await client.post("/scim/v2/Users", headers=h, content=body)
        assert is_scim_error(r, 400), r.text
    r = await client.post("/scim/v2/Users/.search", headers=h, content='{"filter": "title eq \\"\\ud800\\""}')
    assert is_scim_error(r, 400), r.text
    r = await client.get("/scim/v2/Users", headers=h, params={"count": "1.5"})
    assert is_scim_error(r, 400) and "count" in r.json()["detail"] and "startIndex" not in r.json()["detail"]


async def test_the_department_is_a_field_with_its_rules_and_events(client: httpx.AsyncClient) -> None:
    _, h, admin = await scim_org(client)
    ada = await post_user(client, h, user("ada"))
    for bad in ("x" * 100_000, "a\u0000b", "   "):
        r = await patch_user(client, h, ada["id"], {"op": "add", "path": f"{ENTERPRISE}:department", "value": bad})
        assert is_scim_error(r, 400, "invalidValue") and "department" in r.json()["detail"], r.text
    r = await patch_user(client, h, ada["id"], {"op": "add", "path": f"{ENTERPRISE}:department", "value": "Sales"})
    assert r.status_code == 200, r.text
    assert (await client.get(f"/v1/people/{ada['id']}", headers=admin)).json()["department"] == "Sales"
    events = (await client.get("/v1/events", params={"type": "person.updated"}, headers=admin)).json()["data"]
    assert [e["data"]["previous_attributes"] for e in events] == [{"department": None}]


async def test_a_rest_person_keeps_signing_in_by_their_email(client: httpx.AsyncClient) -> None:
    _, h, admin = await scim_org(client)
    rest = (await client.post("/v1/people", headers=admin, json={
        "given_name": "Grace", "family_name": "Hopper", "email": "grace@acme.example"})).json()  # fmt: skip
    r = await patch_user(client, h, rest["id"], {"op": "replace", "path": "title", "value": "Admiral"})
    assert r.status_code == 200 and r.json()["userName"] == "grace@acme.example", r.text
    person = (await client.get(f"/v1/people/{rest['id']}", headers=admin)).json()
    assert (person["user_name"], person["title"]) == (None, "Admiral")
    gone = await post_user(client, h, user("gone"))
    await client.delete(f"/scim/v2/Users/{gone['id']}", headers=h)
    r = await patch_user(
        client, h, rest["id"], {"op": "add", "path": f"{ENTERPRISE}:manager", "value": {"value": gone["id"]}}
    )
    assert is_scim_error(r, 400, "invalidValue"), r.text  # no User any more


async def test_the_edges_refusals_under_scim_are_scims(client: httpx.AsyncClient) -> None:
    org, h, _ = await scim_org(client)
    big = await client.post("/scim/v2/Users", headers=h, content=b'{"userName": "' + b"x" * 2_000_000 + b'"}')
    assert big.status_code == 413 and big.json()["schemas"] == [ERROR], big.text[:300]
    nul = await client.get("/scim/v2/Users/%00", headers=h)
    assert nul.status_code == 400 and nul.json()["schemas"] == [ERROR], nul.text
    r = await client.post("/scim/v2/Users", headers=h, json=user("a", externalId="x1"))
    r = await client.post("/scim/v2/Users", headers=h, json=user("b", externalId="x1"))
    assert is_scim_error(r, 409, "uniqueness"), r.text
    assert (await client.get("/scim/v2/Users", headers=bearer(org, "org:read"))).json()["schemas"] == [ERROR]


async def test_a_body_nested_deeper_than_any_resource_is_a_400(client: httpx.AsyncClient) -> None:
    """A review found a PATCH whose value nests 500 levels answered 500 (the mapping recursed): every SCIM
    body is bounded as REST's and GraphQL's are (64 levels), whatever the route and wherever the depth is."""
    _, h, _admin = await scim_org(client)
    ada = await post_user(client, h, user("deep@acme.example"))
    for levels in (65, 500, 1000):
        deep = "[" * levels + "1" + "]" * levels  # written by hand: the json module would not write it
        ops = '{"op": "replace", "path": "displayName", "value": ' + deep + "}"
        body = '{"schemas": ["' + PATCH + '"], "Operations": [' + ops + "]}"
        scim_json = {**h, "Content-Type": "application/scim+json"}
        r = await client.patch(f"/scim/v2/Users/{ada['id']}", headers=scim_json, content=body)
        assert is_scim_error(r, 400), (levels, r.status_code, r.text[:200])
        new_user = json.dumps(user("deeper@acme.example"))[:-1] + ', "nickName": ' + deep + "}"
        r = await client.post("/scim/v2/Users", headers=scim_json, content=new_user)
        assert is_scim_error(r, 400), (levels, r.status_code, r.text[:200])
    shallow = await patch_user(client, h, ada["id"], {"op": "replace", "path": "displayName", "value": "Ada"})
    assert shallow.status_code == 200, shallow.text
