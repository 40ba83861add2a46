"""Organization B never sees organization A: every route of the OpenAPI document that takes an id
answers 404 to B for A's objects, exactly as for ids that do not exist, and so does GraphQL's node(id:)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.factories import make_api_client, make_org

# How to find, in organization A, an object for each kind of path parameter. A route whose parameter is
# not here fails the walk: whoever adds a route adds its parameter here, and the route is then checked.
PARAM_KINDS = {
    "organization_id": "organization",
    "client_id": "api_client",
    "event_id": "event",
    "unit_id": "unit",
    "person_id": "person",
    "membership_id": "membership",
    "endpoint_id": "webhook_endpoint",
    "delivery_id": "webhook_delivery",
    "objective_id": "objective",
    "key_result_id": "key_result",
    "check_in_id": "check_in",
    "handoff_id": "handoff",
    "handoff_policy_id": "handoff_policy",
    "role_id": "role",
    "role_assignment_id": "role_assignment",
    "raci_entry_id": "raci_entry",
    "feedback_id": "feedback",
    "feedback_request_id": "feedback_request",
    "survey_id": "survey",
    "feed_id": "calendar_feed",
}
UPSERT_BODIES = {
    "/v1/api-clients/": {"name": "B's", "scopes": []},
    "/v1/units/": {"name": "B's", "kind": "team"},
    "/v1/people/": {"given_name": "B", "family_name": "B", "email": "b@b.test"},
}
UPSERT = re.compile(r"/by-external-ref/\{system\}/\{external_id\}$")


async def seed_org_a(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, str], dict[str, Any]]:
    org, h = await make_org(client, "A")
    api_client = await make_api_client(client, h, external_refs={"sap": "A-1"})
    event = (await client.get("/v1/events", headers=h)).json()["data"][0]
    unit = (
        await client.post(
            "/v1/units", json={"name": "A", "kind": "company", "external_refs": {"sap": "A-1"}}, headers=h
        )
    ).json()
    person = (
        await client.post(
            "/v1/people",
            json={"given_name": "A", "family_name": "A", "email": "a@a.test", "external_refs": {"sap": "A-1"}},
            headers=h,
        )
    ).json()
    membership = (
        await client.post("/v1/memberships", json={"person_id": person["id"], "unit_id": unit["id"]}, headers=h)
    ).json()
    endpoint = (
        await client.post(
            "/v1/webhook-endpoints", json={"url": "http://127.0.0.1:9/hook", "event_types": ["*"]}, headers=h
        )
    ).json()
    ping = (await client.post(f"/v1/webhook-endpoints/{endpoint['id']}/test", headers=h)).json()
    objective = (
        await client.post(
            "/v1/objectives",
            json={
                "title": "A's",
                "owner_unit_id": unit["id"],
                "period_start": "2026-07-01",
                "period_end": "2026-09-30",
                "external_refs": {"sap": "A-1"},
            },
            headers=h,
        )
    ).json()
    key_result = (
        await client.post(
            "/v1/key-results",
            json={"objective_id": objective["id"], "title": "A's", "target_value": 5, "external_refs": {"sap": "A-1"}},
            headers=h,
        )
    ).json()
    check_in = (
        await client.post("/v1/check-ins", json={"key_result_id": key_result["id"], "value": 1}, headers=h)
    ).json()
    handoff = (
        await client.post(
            "/v1/handoffs",
            json={
                "title": "A's",
                "from_unit_id": unit["id"],
                "to_unit_id": unit["id"],
                "external_refs": {"sap": "A-1"},
            },
            headers=h,
        )
    ).json()
    policy = (await client.post("/v1/handoff-policies", json={"accept_within": "PT1H"}, headers=h)).json()
    role = (await client.post("/v1/roles", json={"name": "A's", "external_refs": {"sap": "A-1"}}, headers=h)).json()
    assignment = (
        await client.post(
            "/v1/role-assignments",
            json={"role_id": role["id"], "person_id": person["id"], "external_refs": {"sap": "A-1"}},
            headers=h,
        )
    ).json()
    raci = (
        await client.post(
            "/v1/raci",
            json={
                "subject_type": "objective",
                "subject_id": objective["id"],
                "party_type": "role",
                "party_id": role["id"],
                "letter": "A",
                "external_refs": {"sap": "A-1"},
            },
            headers=h,
        )
    ).json()
    feedback = (
        await client.post(
            "/v1/feedback",
            json={"recipient_person_id": person["id"], "kind": "praise", "body": "A's", "visibility": "public"},
            headers=h,
        )
    ).json()
    request = (
        await client.post(
            "/v1/feedback-requests",
            json={
                "requester_person_id": person["id"],
                "respondent_person_ids": [person["id"]],
                "due_at": "2999-01-01T00:00:00Z",
            },
            headers=h,
        )
    ).json()
    survey = (
        await client.post(
            "/v1/surveys",
            json={
                "title": "A's",
                "questions": [{"id": "q1", "text": "How?", "type": "scale"}],
                "audience_unit_ids": [unit["id"]],
                "opens_at": "2998-01-01T00:00:00Z",
                "closes_at": "2999-01-01T00:00:00Z",
            },
            headers=h,
        )
    ).json()
    feed = (
        await client.post("/v1/calendar-feeds", json={"owner_type": "unit", "owner_id": unit["id"]}, headers=h)
    ).json()
    ids = {
        "calendar_feed": feed["id"],
        "organization": org,
        "api_client": api_client["id"],
        "event": event["id"],
        "unit": unit["id"],
        "person": person["id"],
        "membership": membership["id"],
        "webhook_endpoint": endpoint["id"],
        "webhook_delivery": ping["id"],
        "objective": objective["id"],
        "key_result": key_result["id"],
        "check_in": check_in["id"],
        "handoff": handoff["id"],
        "handoff_policy": policy["id"],
        "role": role["id"],
        "role_assignment": assignment["id"],
        "raci_entry": raci["id"],
        "feedback": feedback["id"],
        "feedback_request": request["id"],
        "survey": survey["id"],
    }
    return ids, h, api_client


ACTION_BODIES = {
    "/recover": {"since": "2026-01-01T00:00:00Z"},
    "/decline": {"reason_code": "other"},
    "/wait": {"reason": "B's"},
    "/forward": {"to_unit_id": "unit_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"},
    "/comments": {"body": "B's"},
    "/responses": {"answers": {"q1": 3}},
}


def body_for(method: str, path: str) -> dict[str, Any] | None:
    for suffix, body in ACTION_BODIES.items():
        if path.endswith(suffix) and method == "post":
            return body
    return {} if method in ("patch", "post", "put") else None


async def test_every_route_with_an_id_answers_404_across_organizations(client: httpx.AsyncClient) -> None:
    ids, h_a, _ = await seed_org_a(client)
    _org_b, h_b = await make_org(client, "B")
    spec = (await client.get("/openapi.json")).json()
    walked = []
    for path, operations in spec["paths"].items():
        params = re.findall(r"\{(\w+)\}", path)
        if not params:
            continue
        for method in operations:
            if UPSERT.search(path):
                continue  # an upsert by external ref is checked below: B gets its own object, never A's
            if path.startswith("/v1/calendar/"):
                continue  # a calendar feed's URL is its own credential, of no organization (tests/calendars)
            unknown = [p for p in params if p not in PARAM_KINDS]
            assert not unknown, f"{method.upper()} {path}: add {unknown} to PARAM_KINDS"
            real = path
            missing = path
            for p in params:
                real = real.replace("{" + p + "}", ids[PARAM_KINDS[p]])
                missing = missing.replace(
                    "{" + p + "}", ids[PARAM_KINDS[p]].split("_")[0] + "_01DOESNOTEXIST000000000000"
                )
            kwargs: dict[str, Any] = {"headers": h_b}
            if body_for(method, path) is not None:
                kwargs["json"] = body_for(method, path)
            r = await client.request(method.upper(), real, **kwargs)
            assert r.status_code == 404, f"{method.upper()} {real} as B: {r.status_code} {r.text}"
            assert r.headers["content-type"].startswith("application/problem+json")
            gone = await client.request(method.upper(), missing, **kwargs)
            assert gone.status_code == 404 and gone.json()["title"] == r.json()["title"]
            walked.append(f"{method.upper()} {path}")
    assert len(walked) >= 5, walked
    # A's objects are untouched by B's attempts
    r = await client.get(f"/v1/api-clients/{ids['api_client']}", headers=h_a)
    assert r.status_code == 200 and r.json()["version"] == 1

    # Upsert by external ref: B's PUT with A's reference makes B's own object; A's stays A's.
    b_unit = (await client.post("/v1/units", json={"name": "B's", "kind": "team"}, headers=h_b)).json()["id"]
    period = {"period_start": "2026-07-01", "period_end": "2026-09-30"}
    UPSERT_BODIES["/v1/objectives/"] = {"title": "B's", "owner_unit_id": b_unit, **period}
    b_objective = (await client.post("/v1/objectives", json=UPSERT_BODIES["/v1/objectives/"], headers=h_b)).json()
    UPSERT_BODIES["/v1/key-results/"] = {"objective_id": b_objective["id"], "title": "B's", "target_value": 3}
    UPSERT_BODIES["/v1/handoffs/"] = {"title": "B's", "from_unit_id": b_unit, "to_unit_id": b_unit}
    UPSERT_BODIES["/v1/roles/"] = {"name": "B's"}
    b_role = (await client.post("/v1/roles", json={"name": "B's role"}, headers=h_b)).json()
    b_person = (
        await client.post("/v1/people", json={"given_name": "B", "family_name": "B", "email": "b2@b.test"}, headers=h_b)
    ).json()
    UPSERT_BODIES["/v1/role-assignments/"] = {"role_id": b_role["id"], "person_id": b_person["id"]}
    UPSERT_BODIES["/v1/raci/"] = {
        "subject_type": "unit",
        "subject_id": b_unit,
        "party_type": "role",
        "party_id": b_role["id"],
        "letter": "I",
    }
    upserts = [p for p in spec["paths"] if UPSERT.search(p)]
    assert len(upserts) == len(UPSERT_BODIES), upserts
    versions = {}
    for path in upserts:
        prefix = path.split("by-external-ref")[0]
        (held,) = (await client.get(prefix.rstrip("/"), params={"external_ref": "sap:A-1"}, headers=h_a)).json()["data"]
        versions[prefix] = held["version"]
    for path in upserts:
        prefix = path.split("by-external-ref")[0]
        r = await client.put(
            path.replace("{system}", "sap").replace("{external_id}", "A-1"), json=UPSERT_BODIES[prefix], headers=h_b
        )
        assert r.status_code == 201, (path, r.text)
        assert r.json()["id"] not in ids.values()
        mine = (await client.get(prefix.rstrip("/"), params={"external_ref": "sap:A-1"}, headers=h_a)).json()["data"]
        assert len(mine) == 1 and mine[0]["id"] in ids.values() and mine[0]["version"] == versions[prefix], mine
    events_b = (await client.get("/v1/events", headers=h_b)).json()["data"]
    assert all(e["organization_id"] != ids["organization"] for e in events_b)


async def test_graphql_node_hides_other_organizations(client: httpx.AsyncClient) -> None:
    ids, h_a, _ = await seed_org_a(client)
    _org_b, h_b = await make_org(client, "B")
    query = "query($id: ID!) { node(id: $id) { id __typename } }"
    for kind, object_id in ids.items():
        if kind in ("webhook_delivery", "calendar_feed"):
            continue  # not nodes: deliveries are read through their endpoint, feeds over REST only
        mine = await client.post("/graphql", json={"query": query, "variables": {"id": object_id}}, headers=h_a)
        assert mine.json()["data"]["node"]["id"] == object_id, (kind, mine.text)
        theirs = await client.post("/graphql", json={"query": query, "variables": {"id": object_id}}, headers=h_b)
        assert theirs.status_code == 200
        assert theirs.json()["data"] == {"node": None} and "errors" not in theirs.json(), (kind, theirs.text)
    r = await client.post("/graphql", json={"query": query, "variables": {"id": "client_01DOESNOTEXIST"}}, headers=h_a)
    assert r.json()["data"] == {"node": None} and "errors" not in r.json()
