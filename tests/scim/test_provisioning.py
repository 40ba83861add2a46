"""SCIM provisioning as an identity provider drives it (Okta's and Entra ID's shapes of requests): a SCIM
change is an org-chart change (same rules, events and history); filters, paging, PATCH with paths, the
end of a User's link, a Group's deletion, errors in SCIM's shape, the scope, other organizations."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import bearer, make_org

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_JSON = {"Content-Type": "application/scim+json"}


def user(user_name: str, given: str = "Ada", family: str = "Lovelace", **extra: Any) -> dict[str, Any]:
    return {"schemas": [USER], "userName": user_name, "name": {"givenName": given, "familyName": family},
            "active": True, **extra}  # fmt: skip


async def scim_org(client: httpx.AsyncClient) -> tuple[str, dict[str, str], dict[str, str]]:
    """An organization, its SCIM token's headers, and an admin token's headers for /v1."""
    org, admin = await make_org(client)
    return org, {**bearer(org, "scim"), **SCIM_JSON}, admin


async def post_user(client: httpx.AsyncClient, h: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    r = await client.post("/scim/v2/Users", json=body, headers=h)
    assert r.status_code == 201, r.text
    assert r.headers["content-type"].startswith("application/scim+json")
    assert r.headers["location"] == r.json()["meta"]["location"]
    return dict(r.json())


def is_scim_error(r: httpx.Response, status: int, scim_type: str | None = None) -> bool:
    body = r.json()
    ok = r.status_code == status and body["schemas"] == [ERROR] and body["status"] == str(status)
    return ok and (scim_type is None or body.get("scimType") == scim_type) and bool(body.get("detail"))


async def test_a_provisioned_user_is_a_person_with_its_events_and_history(client: httpx.AsyncClient) -> None:
    _, h, admin = await scim_org(client)
    boss = await post_user(client, h, user("grace@acme.example", "Grace", "Hopper"))
    ada = await post_user(client, h, user(
        "ada@acme.example", externalId="00u1", title="Engineer",
        emails=[{"value": "ada.home@example.com", "type": "home"}, {"value": "ada@acme.example", "primary": True}],
        **{"schemas": [USER, ENTERPRISE], ENTERPRISE: {"department": "R&D", "manager": {"value": boss["id"]}}},
    ))  # fmt: skip
    assert ada["emails"] == [{"value": "ada@acme.example"}]  # the primary one is kept
    assert ada[ENTERPRISE]["manager"]["value"] == boss["id"] and ada[ENTERPRISE]["department"] == "R&D"
    person = (await client.get(f"/v1/people/{ada['id']}", headers=admin)).json()
    assert (person["user_name"], person["email"], person["manager_id"], person["title"]) == (
        "ada@acme.example", "ada@acme.example", boss["id"], "Engineer")  # fmt: skip
    assert person["external_refs"] == {"scim": "00u1"}
    # Okta deactivates with a PATCH without a path: the person is deactivated, as over REST.
    r = await client.patch(f"/scim/v2/Users/{ada['id']}", headers=h,
                           json={"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]})  # fmt: skip
    assert r.status_code == 200 and r.json()["active"] is False, r.text
    events = (await client.get("/v1/events", params={"type": "person.*"}, headers=admin)).json()["data"]
    mine = [e["type"] for e in events if e["data"]["object"]["id"] == ada["id"]]
    assert mine == ["person.created", "person.deactivated"]
    # Entra ID sends booleans as strings.
    r = await client.patch(f"/scim/v2/Users/{boss['id']}", headers=h, json={
        "schemas": [PATCH], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]})  # fmt: skip
    assert r.status_code == 200 and r.json()["active"] is False, r.text
    past = await client.get(f"/v1/people/{ada['id']}", params={"as_of": person["updated_at"]}, headers=admin)
    assert past.json()["status"] == "active"  # the history keeps the version before


async def test_filters_paging_and_attributes(client: httpx.AsyncClient) -> None:
    _, h, _ = await scim_org(client)
    names = [("ada", "Ada", "Lovelace"), ("alan", "Alan", "Turing"), ("grace", "Grace", "Hopper"),
             ("edsger", "Edsger", "Dijkstra"), ("barbara", "Barbara", "Liskov")]  # fmt: skip
    ids = {}
    for login, given, family in names:
        body = user(f"{login}@acme.example", given, family, title="Engineer" if login != "grace" else None)
        ids[login] = (await post_user(client, h, body))["id"]

    async def found(expression: str) -> list[str]:
        r = await client.get("/scim/v2/Users", params={"filter": expression}, headers=h)
        assert r.status_code == 200, r.text
        by_id = {v: k for k, v in ids.items()}
        return sorted(by_id[u["id"]] for u in r.json()["Resources"])

    assert await found('userName eq "ADA@acme.example"') == ["ada"]  # whatever its case
    assert await found('userName sw "a"') == ["ada", "alan"]
    assert await found('name.familyName co "ur"') == ["alan"]
    assert await found("title pr") == ["ada", "alan", "barbara", "edsger"]
    assert await found("not (title pr)") == ["grace"]
    assert await found('userName sw "a" and name.givenName eq "alan"') == ["alan"]
    assert await found('name.givenName eq "Grace" or name.familyName ew "kov"') == ["barbara", "grace"]
    assert await found('emails[value eq "edsger@acme.example"]') == []  # these people sign in without an email
    assert await found('userName ne "ada@acme.example" and title pr') == ["alan", "barbara", "edsger"]
    assert await found(f'id eq "{ids["grace"]}"') == ["grace"]
    assert await found('meta.created gt "2000-01-01T00:00:00Z"') == sorted(ids)
    for bad, kind in (('userName eq', "invalidFilter"), ('nickName eq "x"', "invalidFilter"),
                      ('active co "x"', "invalidFilter"), ('meta.created gt "soon"', "invalidFilter")):  # fmt: skip
        r = await client.get("/scim/v2/Users", params={"filter": bad}, headers=h)
        assert is_scim_error(r, 400, kind), (bad, r.text)

    page = (await client.get("/scim/v2/Users", params={"startIndex": 2, "count": 2}, headers=h)).json()
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (5, 2, 2)
    assert [u["id"] for u in page["Resources"]] == sorted(ids.values())[1:3]
    empty = (await client.get("/scim/v2/Users", params={"count": 0}, headers=h)).json()
    assert empty["totalResults"] == 5 and empty["Resources"] == []
    assert is_scim_error(await client.get("/scim/v2/Users", params={"count": "many"}, headers=h), 400)

    only = (await client.get(f"/scim/v2/Users/{ids['ada']}", params={"attributes": "userName"}, headers=h)).json()
    assert set(only) <= {"schemas", "id", "userName"} and only["userName"] == "ada@acme.example"
    without = await client.get(f"/scim/v2/Users/{ids['ada']}", params={"excludedAttributes": "name"}, headers=h)
    assert "name" not in without.json() and without.json()["userName"]
    searched = await client.post("/scim/v2/Users/.search", headers=h, json={
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": 'userName sw "e"',
        "attributes": ["userName"]})  # fmt: skip
    assert searched.status_code == 200, searched.text
    assert [u["userName"] for u in searched.json()["Resources"]] == ["edsger@acme.example"]


async def test_patch_paths_and_the_rules_of_the_org_chart(client: httpx.AsyncClient) -> None:
    _, h, admin = await scim_org(client)
    ada = await post_user(client, h, user("ada", emails=[{"value": "ada@acme.example", "primary": True}]))
    url = f"/scim/v2/Users/{ada['id']}"

    async def patch(*ops: dict[str, Any]) -> httpx.Response:
        return await client.patch(url, headers=h, json={"schemas": [PATCH], "Operations": list(ops)})

    r = await patch({"op": "replace", "path": "name.givenName", "value": "Augusta"},
                    {"op": "add", "path": "title", "value": "Countess"},
                    {"op": "add", "path": f"{ENTERPRISE}:department", "value": "Analytics"})  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["name"]["givenName"], body["title"], body[ENTERPRISE]["department"]) == (
        "Augusta", "Countess", "Analytics")  # fmt: skip
    r = await patch({"op": "remove", "path": "emails"}, {"op": "remove", "path": "title"})
    assert r.status_code == 200 and "emails" not in r.json() and "title" not in r.json(), r.text
    person = (await client.get(f"/v1/people/{ada['id']}", headers=admin)).json()
    assert (person["email"], person["title"], person["given_name"]) == (None, None, "Augusta")
    # Over REST, a person without a user name still needs an email: the same rule, both ways.
    other = await client.post("/v1/people", headers=admin, json={"given_name": "Alan", "family_name": "Turing"})
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "/email"
    # Rules of the org chart answer in SCIM's words: a manager cycle, a manager that does not exist.
    r = await patch({"op": "add", "path": f"{ENTERPRISE}:manager", "value": {"value": ada["id"]}})
    assert is_scim_error(r, 409), r.text
    r = await patch({"op": "replace", "path": f"{ENTERPRISE}:manager.value", "value": "person_nobody"})
    assert is_scim_error(r, 400, "invalidValue") and "manager" in r.json()["detail"], r.text
    # An attribute Liaison does not keep is left alone (identity providers send many), not refused.
    r = await patch({"op": "replace", "path": "nickName", "value": "Ada"})
    assert r.status_code == 200 and "nickName" not in r.json(), r.text
    for bad, kind in (({"op": "replace", "path": "emails[value eq", "value": "x"}, "invalidPath"),
                      ({"op": "frob", "path": "title", "value": "x"}, "invalidValue"),
                      ({"op": "replace", "path": "id", "value": "x"}, "mutability"),
                      ({"op": "replace", "path": "name.givenName", "value": ""}, "invalidValue"),
                      ({"op": "replace", "path": "userName", "value": "x" * 300}, "invalidValue")):  # fmt: skip
        r = await patch(bad)
        assert is_scim_error(r, 400), (bad, r.text)
        assert r.json().get("scimType") == kind, (bad, r.text)
    assert (await client.get(url, headers=h)).json()["name"]["givenName"] == "Augusta"  # nothing changed


async def test_user_names_and_emails_are_unique_whatever_their_case(client: httpx.AsyncClient) -> None:
    _, h, admin = await scim_org(client)
    await post_user(client, h, user("Ada@Acme.example", emails=[{"value": "ada@acme.example"}]))
    for body in (user("ada@acme.EXAMPLE"), user("alan", emails=[{"value": "ADA@acme.example"}])):
        r = await client.post("/scim/v2/Users", json=body, headers=h)
        assert is_scim_error(r, 409, "uniqueness"), r.text
    # A person added over REST signs in by their email: SCIM finds them by it, and a user name may not take it.
    rest = await client.post("/v1/people", headers=admin, json={
        "given_name": "Grace", "family_name": "Hopper", "email": "grace@acme.example"})  # fmt: skip
    found = await client.get("/scim/v2/Users", params={"filter": 'userName eq "GRACE@acme.example"'}, headers=h)
    assert [u["id"] for u in found.json()["Resources"]] == [rest.json()["id"]]
    assert is_scim_error(await client.post("/scim/v2/Users", json=user("grace@acme.example"), headers=h), 409)
    r = await client.post("/v1/people", headers=admin, json={
        "given_name": "Ada", "family_name": "L", "email": "ada@acme.example"})  # fmt: skip
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "/email"


async def test_deleting_a_user_ends_its_link_and_keeps_the_person(client: httpx.AsyncClient) -> None:
    _, h, admin = await scim_org(client)
    ada = await post_user(client, h, user("ada", externalId="00u1"))
    r = await client.delete(f"/scim/v2/Users/{ada['id']}", headers=h)
    assert r.status_code == 204, r.text
    assert is_scim_error(await client.get(f"/scim/v2/Users/{ada['id']}", headers=h), 404)
    assert is_scim_error(await client.delete(f"/scim/v2/Users/{ada['id']}", headers=h), 404)
    listed = (await client.get("/scim/v2/Users", params={"filter": 'userName eq "ada"'}, headers=h)).json()
    assert listed["totalResults"] == 0
    person = (await client.get(f"/v1/people/{ada['id']}", headers=admin)).json()
    assert person["status"] == "inactive" and person["external_refs"] == {}
    # The same person coming back (a re-hire) is linked again, not refused as a duplicate.
    back = await post_user(client, h, user("ADA", externalId="00u9"))
    assert back["id"] == ada["id"] and back["active"] is True and back["externalId"] == "00u9"


async def test_groups_are_units_and_their_members_memberships(client: httpx.AsyncClient) -> None:
    _, h, admin = await scim_org(client)
    ada, alan, grace = [(await post_user(client, h, user(n)))["id"] for n in ("ada", "alan", "grace")]
    r = await client.post("/scim/v2/Groups", headers=h, json={
        "schemas": [GROUP], "displayName": "Engineering", "externalId": "g1",
        "members": [{"value": ada}, {"value": alan, "display": "Alan"}]})  # fmt: skip
    assert r.status_code == 201, r.text
    group = r.json()
    assert sorted(m["value"] for m in group["members"]) == sorted([ada, alan])
    unit = (await client.get(f"/v1/units/{group['id']}", headers=admin)).json()
    assert (unit["name"], unit["external_refs"]) == ("Engineering", {"scim": "g1"})
    url = f"/scim/v2/Groups/{group['id']}"

    async def patch(*ops: dict[str, Any]) -> httpx.Response:
        return await client.patch(url, headers=h, json={"schemas": [PATCH], "Operations": list(ops)})

    # Okta adds with a path; Entra ID removes with a value; a filter path removes one member.
    assert (await patch({"op": "add", "path": "members", "value": [{"value": grace}]})).status_code == 200
    r = await patch({"op": "Remove", "path": "members", "value": [{"value": ada}]})
    assert r.status_code == 200, r.text
    r = await patch({"op": "remove", "path": f'members[value eq "{alan}"]'})
    assert r.status_code == 200 and [m["value"] for m in r.json()["members"]] == [grace], r.text
    running = (await client.get("/v1/memberships", params={"unit_id": group["id"]}, headers=admin)).json()["data"]
    assert {m["person_id"] for m in running} == {grace}  # the others' memberships were withdrawn (began today)
    found = await client.get("/scim/v2/Groups", params={"filter": f'members[value eq "{grace}"]'}, headers=h)
    assert [g["id"] for g in found.json()["Resources"]] == [group["id"]]
    found = await client.get("/scim/v2/Groups", params={"filter": 'displayName eq "engineering"'}, headers=h)
    assert [g["id"] for g in found.json()["Resources"]] == [group["id"]]
    r = await patch({"op": "add", "path": "members", "value": [{"value": "person_nobody"}]})
    assert is_scim_error(r, 400, "invalidValue"), r.text

    # A Group with child units cannot be deleted: 409 in SCIM's shape, and nothing changed.
    child = await client.post("/v1/units", headers=admin, json={"name": "Platform", "kind": "team",
                                                                "parent_id": group["id"]})  # fmt: skip
    r = await client.delete(url, headers=h)
    assert is_scim_error(r, 409), r.text
    assert [m["value"] for m in (await client.get(url, headers=h)).json()["members"]] == [grace]
    await client.delete(f"/v1/units/{child.json()['id']}", headers=admin)
    assert (await client.delete(url, headers=h)).status_code == 204
    assert is_scim_error(await client.get(url, headers=h), 404)
    assert (await client.get(f"/v1/units/{group['id']}", headers=admin)).status_code == 404
    events = [e["type"] for e in (await client.get("/v1/events", headers=admin)).json()["data"]]
    assert "unit.deleted" in events and events.count("membership.ended") == 3


async def test_scope_tokens_and_other_organizations(client: httpx.AsyncClient) -> None:
    org, h, admin = await scim_org(client)
    ada = await post_user(client, h, user("ada"))
    r = await client.get("/scim/v2/Users", headers=bearer(org, "org:read"))
    assert is_scim_error(r, 403), r.text
    r = await client.get("/scim/v2/Users")
    assert is_scim_error(r, 401) and r.headers["www-authenticate"].startswith("Bearer"), r.text
    assert (await client.get("/scim/v2/Users", headers=admin)).status_code == 200  # admin holds every scope
    _, other_h, _ = await scim_org(client)
    assert is_scim_error(await client.get(f"/scim/v2/Users/{ada['id']}", headers=other_h), 404)
    r = await client.patch(f"/scim/v2/Users/{ada['id']}", headers=other_h,
                           json={"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]})  # fmt: skip
    assert is_scim_error(r, 404)
    r = await client.post("/scim/v2/Groups", headers=other_h, json={
        "schemas": [GROUP], "displayName": "Theirs", "members": [{"value": ada["id"]}]})  # fmt: skip
    assert is_scim_error(r, 400, "invalidValue")
    assert (await client.get(f"/scim/v2/Users/{ada['id']}", headers=h)).json()["active"] is True


@pytest.mark.parametrize(
    "body",
    ["{", "[]", '"x"', '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}',
     '{"userName": 5, "name": {"givenName": "A", "familyName": "B"}}',
     '{"userName": "a", "name": {"givenName": "A"}}', '{"userName": "a\\u0000b", "name": {"givenName": "A", "familyName": "B"}}',
     '{"userName": "a", "name": {"givenName": "A", "familyName": "B"}, "emails": [{"value": "not an email"}]}',
     '{"userName": "a", "name": {"givenName": "A", "familyName": "B"}, "active": "maybe"}'],
)  # fmt: skip
async def test_bad_users_are_refused_in_scims_shape(client: httpx.AsyncClient, body: str) -> None:
    _, h, admin = await scim_org(client)
    r = await client.post("/scim/v2/Users", content=body, headers=h)
    assert r.status_code == 400 and r.json()["schemas"] == [ERROR], r.text
    assert (await client.get("/v1/people", headers=admin)).json()["data"] == []


async def test_discovery_and_unknown_routes(client: httpx.AsyncClient) -> None:
    config = (await client.get("/scim/v2/ServiceProviderConfig")).json()
    assert config["patch"]["supported"] and config["filter"] == {"supported": True, "maxResults": 200}
    assert not config["bulk"]["supported"]
    types = {t["name"]: t for t in (await client.get("/scim/v2/ResourceTypes")).json()["Resources"]}
    assert types["User"]["schemaExtensions"][0]["schema"] == ENTERPRISE and types["Group"]["endpoint"] == "/Groups"
    schemas = {s["id"]: s for s in (await client.get("/scim/v2/Schemas")).json()["Resources"]}
    assert set(schemas) == {USER, GROUP, ENTERPRISE}
    user_attributes = {a["name"] for a in schemas[USER]["attributes"]}
    assert user_attributes == {"userName", "name", "title", "active", "emails"}
    assert (await client.get(f"/scim/v2/Schemas/{GROUP}")).json()["name"] == "Group"
    assert is_scim_error(await client.get("/scim/v2/Schemas/urn:nothing"), 404)
    assert is_scim_error(await client.get("/scim/v2/Nothing"), 404)
    r = await client.put("/scim/v2/ServiceProviderConfig")
    assert is_scim_error(r, 405) and "GET" in r.headers["allow"]
    assert is_scim_error(await client.post("/scim/v2/.search", json={}), 501)
