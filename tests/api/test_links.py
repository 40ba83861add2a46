"""Links on units: the documents, tickets and channels behind the work, validated, kept in the history,
filtered by URL, and the same over GraphQL."""

from __future__ import annotations

import httpx

from tests.factories import make_org

PLAN = {"title": "Q3 plan", "url": "https://docs.example.com/d/q3", "kind": "document"}
CHANNEL = {"title": "#sales", "url": "https://acme.slack.com/archives/C1", "kind": "chat"}


async def test_units_carry_links_filtered_by_url(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    sales = (
        await client.post("/v1/units", json={"name": "Sales", "kind": "department", "links": [PLAN]}, headers=h)
    ).json()
    assert sales["links"] == [PLAN]
    ops = (
        await client.post(
            "/v1/units",
            json={"name": "Ops", "kind": "department", "links": [{"title": "x", "url": CHANNEL["url"]}]},
            headers=h,
        )
    ).json()
    assert ops["links"] == [{"title": "x", "url": CHANNEL["url"], "kind": "other"}]  # the kind defaults
    plain = (await client.post("/v1/units", json={"name": "HR", "kind": "department"}, headers=h)).json()
    assert plain["links"] == []

    def names(r: httpx.Response) -> list[str]:
        assert r.status_code == 200, r.text
        return sorted(u["name"] for u in r.json()["data"])

    assert names(await client.get("/v1/units", params={"link_url": PLAN["url"]}, headers=h)) == ["Sales"]
    assert names(await client.get("/v1/units", params={"link_url": CHANNEL["url"]}, headers=h)) == ["Ops"]
    assert names(await client.get("/v1/units", params={"link_url": "https://nowhere.example"}, headers=h)) == []
    # Not a substring match, and quotes or wildcards in the URL are only text.
    assert names(await client.get("/v1/units", params={"link_url": "https://docs.example.com"}, headers=h)) == []
    assert names(await client.get("/v1/units", params={"link_url": "%' OR 1=1 --"}, headers=h)) == []
    # GraphQL filters the same way
    query = "query($u: String) { units(linkUrl: $u) { edges { node { name links } } } }"
    for url, expected in ((PLAN["url"], ["Sales"]), (CHANNEL["url"], ["Ops"]), ("https://docs.example.com", [])):
        r = await client.post("/graphql", json={"query": query, "variables": {"u": url}}, headers=h)
        assert sorted(e["node"]["name"] for e in r.json()["data"]["units"]["edges"]) == expected, r.text

    # A merge patch replaces the list; null clears it; the past still has it.
    merge = {**h, "Content-Type": "application/merge-patch+json"}
    r = await client.patch(f"/v1/units/{sales['id']}", json={"links": [PLAN, CHANNEL]}, headers=merge)
    assert r.status_code == 200 and r.json()["links"] == [PLAN, CHANNEL]
    between = r.json()["updated_at"]
    r = await client.patch(f"/v1/units/{sales['id']}", json={"links": None}, headers=merge)
    assert r.status_code == 200 and r.json()["links"] == []
    past = await client.get(f"/v1/units/{sales['id']}", params={"as_of": between}, headers=h)
    assert past.json()["links"] == [PLAN, CHANNEL]
    assert names(await client.get("/v1/units", params={"link_url": CHANNEL["url"], "as_of": between}, headers=h)) == [
        "Ops",
        "Sales",
    ]


async def test_bad_links_are_refused_on_both_transports(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    bad_links = [
        [{"title": "", "url": PLAN["url"]}],
        [{"title": "x", "url": "not a url"}],
        [{"title": "x", "url": "ftp://files.example.com/a"}],
        [{"title": "x", "url": PLAN["url"], "kind": "video"}],
        [{"title": "x", "url": PLAN["url"], "extra": 1}],
        [PLAN] * 51,
    ]
    for links in bad_links:
        r = await client.post("/v1/units", json={"name": "S", "kind": "team", "links": links}, headers=h)
        assert r.status_code == 422, (links, r.text)
        assert all(e["field"].startswith("/links") for e in r.json()["errors"]), r.json()
        query = 'mutation($l: JSON) { createUnit(input: {name: "S", kind: "team", links: $l}) { unit { id } userErrors { field code } } }'
        g = (await client.post("/graphql", json={"query": query, "variables": {"l": links}}, headers=h)).json()
        errors = g["data"]["createUnit"]["userErrors"]
        assert (
            g["data"]["createUnit"]["unit"] is None and errors and all(e["field"].startswith("/links") for e in errors)
        )
    assert (await client.get("/v1/units", headers=h)).json()["data"] == []
    query = 'mutation($l: JSON) { createUnit(input: {name: "S", kind: "team", links: $l}) { unit { links } } }'
    g = (await client.post("/graphql", json={"query": query, "variables": {"l": [PLAN]}}, headers=h)).json()
    assert g["data"]["createUnit"]["unit"]["links"] == [PLAN]
