"""A one-line name, title or label is kept without the spaces around it, in every collection: the rule is
the declaration's (`stored()` in app/domain/fields.py), not each use case's. Generated from the declarations:
each `name` field of each collection is sent padded, once on creation and once in a merge patch."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from app.repo.engine import make_engine
from tests.factories import bearer, make_org
from tests.test_error_codes_every_collection import COLLECTIONS, VALID, _fill, _world
from tests.test_rest_schemas_follow_declarations import DECLARED

MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


def _names(path: str) -> list[str]:
    """The collection's one-line text fields (ids written as names, such as a RACI entry's subject, aside)."""
    declared, _writable = DECLARED[path]
    return [f.name for f in declared if f.kind == "name" and not f.name.endswith("_id")]


@pytest.mark.parametrize("path", [p for p in COLLECTIONS if _names(p)])
async def test_a_name_is_kept_without_the_spaces_around_it(client: httpx.AsyncClient, path: str) -> None:
    org, admin = await make_org(client)
    ids = await _world(client, admin)
    h = bearer(org, "admin", person=ids["person"])
    declared, writable = DECLARED[path]
    patchable = {f.name for f in declared} if writable is None else set(writable)
    for i, name in enumerate(_names(path)):
        value = f"  name{i}@example.com   " if name == "email" else f"  Name {i}   "
        body = {**_fill(VALID[path], ids), name: value}
        if "email" in body and name != "email":
            body["email"] = f"n{i}@example.com"
        made = await client.post(f"/v1/{path}", json=body, headers=h)
        assert made.status_code == 201, made.text
        assert made.json()[name] == value.strip(), (path, name)
        if name in patchable:
            again = f"  renamed{i}@example.com " if name == "email" else f"  Renamed {i} "
            r = await client.patch(f"/v1/{path}/{made.json()['id']}", json={name: again}, headers={**h, **MERGE_PATCH})
            assert r.status_code == 200, r.text
            assert r.json()[name] == again.strip(), (path, name)


async def test_a_change_rewrites_only_what_it_sends(client: httpx.AsyncClient, database_url: str) -> None:
    """A review found a PATCH of one field trimming the others: a row stored before names were trimmed (or by
    a path that kept the spaces) changed under a PATCH that did not send it, with an event saying so. Only
    the fields a change sends are normalised; a sync that sends the same padded title twice changes nothing
    the second time."""
    _org, h = await make_org(client)
    body = {"given_name": "Ada", "family_name": "L", "email": "ada@example.com", "title": "Eng"}
    person = (await client.post("/v1/people", json=body, headers=h)).json()
    unit = (await client.post("/v1/units", json={"name": "Ops", "kind": "team"}, headers=h)).json()
    membership = (await client.post("/v1/memberships", headers=h, json={
        "person_id": person["id"], "unit_id": unit["id"], "title": "Lead"})).json()  # fmt: skip
    engine = make_engine(database_url, null_pool=True)
    try:  # as rows written before this version hold them
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE people SET title = '  Eng  ', department = ' R&D ' WHERE id = :id"),
                               {"id": person["id"]})  # fmt: skip
            await conn.execute(text("UPDATE memberships SET title = ' Lead ' WHERE id = :id"), {"id": membership["id"]})
    finally:
        await engine.dispose()
    r = await client.patch(f"/v1/people/{person['id']}", json={"family_name": "Lovelace"}, headers={**h, **MERGE_PATCH})
    assert r.status_code == 200 and (r.json()["title"], r.json()["department"]) == ("  Eng  ", " R&D "), r.text
    r = await client.patch(f"/v1/memberships/{membership['id']}", json={"primary": True}, headers={**h, **MERGE_PATCH})
    assert r.status_code == 200 and r.json()["title"] == " Lead ", r.text
    events = (await client.get("/v1/events?type=person.updated", headers=h)).json()["data"]
    assert set(events[-1]["data"]["previous_attributes"]) == {"family_name"}, events[-1]

    feed = {"system": "hr", "people": [{"external_id": "E1", "given_name": "Grace", "family_name": "H",
                                        "email": "grace@example.com", "title": "  Admiral  "}]}  # fmt: skip
    first = (await client.post("/v1/sync/org-chart", json=feed, headers=h)).json()
    second = (await client.post("/v1/sync/org-chart", json=feed, headers=h)).json()
    assert first["people"]["created"] == 1 and second["people"] == {"created": 0, "updated": 0, "unchanged": 1}
    grace = (await client.get("/v1/people?external_ref=hr:E1", headers=h)).json()["data"][0]
    assert grace["title"] == "Admiral"


async def test_a_survey_s_questions_are_kept_in_one_shape_whichever_transport(client: httpx.AsyncClient) -> None:
    """A review found questions stored as sent: REST kept `choices: null`, GraphQL kept whatever keys came.
    Every question is kept with its four keys, however it was sent."""
    _org, h = await make_org(client)
    unit = (await client.post("/v1/units", json={"name": "Ops", "kind": "team"}, headers=h)).json()
    questions = [{"id": "q1", "text": "How?", "type": "scale"}, {"id": "q2", "text": "Which?", "type": "choice",
                                                                "choices": ["a", "b"]}]  # fmt: skip
    body = {"title": "Pulse", "questions": questions, "audience_unit_ids": [unit["id"]],
            "opens_at": "2027-01-01T00:00:00Z", "closes_at": "2027-01-10T00:00:00Z"}  # fmt: skip
    rest = (await client.post("/v1/surveys", json=body, headers=h)).json()
    mutation = """mutation($input: CreateSurveyInput!) { createSurvey(input: $input) { survey { id } userErrors {
      field code } } }"""
    variables = {"input": {"title": "Pulse", "questions": questions, "audienceUnitIds": [unit["id"]],
                           "opensAt": "2027-01-01T00:00:00Z", "closesAt": "2027-01-10T00:00:00Z"}}  # fmt: skip
    made = (await client.post("/graphql", json={"query": mutation, "variables": variables}, headers=h)).json()
    graphql = (await client.get(f"/v1/surveys/{made['data']['createSurvey']['survey']['id']}", headers=h)).json()
    expected = [{**q, "choices": q.get("choices")} for q in questions]
    assert rest["questions"] == graphql["questions"] == expected
    patched = await client.patch(f"/v1/surveys/{rest['id']}", json={"questions": questions[:1]},
                                 headers={**h, **MERGE_PATCH})  # fmt: skip
    assert patched.json()["questions"] == expected[:1], patched.text
