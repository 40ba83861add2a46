"""GET /v1/{units,people,memberships}/{id}: the exact answer a caller sees, on both engines.

These cases once compared the retired point-read lane with the routes; with one request path left,
each asserts the answer itself: every field of the body, its types and its text byte for byte, the
headers, and the problem documents of every way a read can be refused."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from app.main import create_app
from tests.api.test_org_chart import instant, person, unit
from tests.conftest import empty_tables, make_settings
from tests.factories import PLATFORM, bearer, make_org, token

MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}
RFC3339_Z = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z")
REQUEST_ID = re.compile(r"[0-9a-f]{32}")

# Text that must come back byte for byte: accents, guillemets, a ZWJ emoji sequence, an astral-plane
# emoji, and a decomposed ü (u + U+0308) that must not be normalized to the composed one.
ROOT_NAME = "Société Générale ✓ 🚀"
OPS_NAME = "Opérations ✈️ 北京"
WORKER_GIVEN = "Łukasz 👩‍💻"
WORKER_FAMILY = "Mu\u0308ller-Ærø"
MEMBERSHIP_TITLE = "Analyste «senior» 🎯"
UNKNOWN = {"units": "unit_00000000000000000000000000", "people": "person_00000000000000000000000000"}
UNKNOWN["memberships"] = "mbr_00000000000000000000000000"


@dataclass
class Window:
    """When an object was written, seen from the test: its timestamps must fall inside."""

    start: datetime = field(default_factory=lambda: datetime.now(UTC))
    end: datetime | None = None

    def close(self) -> None:
        self.end = datetime.now(UTC)


def stamp(value: Any, window: Window) -> str:
    """`value` is an RFC 3339 instant in UTC with a `Z`, taken while the write ran."""
    assert isinstance(value, str) and RFC3339_Z.fullmatch(value), value
    at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert window.end is not None and window.start <= at <= window.end, (value, window)
    return value


@dataclass
class Chart:
    h: dict[str, str]
    org: str
    ids: dict[str, str]
    expected: dict[str, dict[str, Any]]  # by name: the exact body a GET must answer
    collection: dict[str, str]  # by name: units, people or memberships


async def post(client: httpx.AsyncClient, h: dict[str, str], path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = await client.post(path, json=body, headers=h)
    assert r.status_code == 201, r.text
    answer: dict[str, Any] = r.json()
    return answer


async def org_chart(client: httpx.AsyncClient) -> Chart:
    """An org with every kind of value a read returns: nulls, booleans, dates, external refs, a second
    version, non-ASCII text. The expected bodies are spelled out from what was sent, not from what came back:
    only ids and timestamps are the server's, and those are checked for their form and their time."""
    org, h = await make_org(client)
    w: dict[str, Window] = {}

    w["root"] = Window()
    root = await unit(client, h, ROOT_NAME, kind="company", external_refs={"hris": "ROOT-1"})
    w["root"].close()
    w["boss"] = Window()
    boss = await person(client, h, "Zoë", title="Directrice")
    w["boss"].close()
    w["ops"] = Window()
    ops = await unit(client, h, "Opérations", root["id"], lead_person_id=boss["id"])
    w["ops"].close()
    w["ops_v2"] = Window()
    r = await client.patch(f"/v1/units/{ops['id']}", json={"name": OPS_NAME}, headers={**h, **MERGE_PATCH})
    assert r.status_code == 200, r.text
    w["ops_v2"].close()
    w["worker"] = Window()
    worker = await person(
        client,
        h,
        "lukasz",
        manager=boss["id"],
        given_name=WORKER_GIVEN,
        family_name=WORKER_FAMILY,
        title=None,
        external_refs={"hris": "E-42", "crm": "u/42"},
    )
    w["worker"].close()
    w["primary"] = Window()
    primary = await post(
        client,
        h,
        "/v1/memberships",
        {
            "person_id": worker["id"],
            "unit_id": ops["id"],
            "primary": True,
            "kind": "rotation",
            "title": MEMBERSHIP_TITLE,
            "starts_on": "2026-01-01",
            "ends_on": "2027-06-30",
            "external_refs": {"hris": "M-1"},
        },
    )
    w["primary"].close()
    w["plain"] = Window()
    plain = await post(client, h, "/v1/memberships", {"person_id": boss["id"], "unit_id": root["id"]})
    w["plain"].close()
    made = {"root": root, "ops": ops, "boss": boss, "worker": worker, "primary": primary, "plain": plain}

    def times(name: str, updated: str | None = None) -> dict[str, Any]:
        obj = made[name]
        created = stamp(obj["created_at"], w[name])
        return {"id": obj["id"], "created_at": created, "updated_at": updated or created}

    ops_read = (await client.get(f"/v1/units/{ops['id']}", headers=h)).json()
    ops_updated = stamp(ops_read["updated_at"], w["ops_v2"])
    expected = {
        "root": {
            **times("root"),
            "version": 1,
            "external_refs": {"hris": "ROOT-1"},
            "name": ROOT_NAME,
            "kind": "company",
            "parent_id": None,
            "lead_person_id": None,
            "links": [],
        },
        "ops": {
            **times("ops", ops_updated),
            "version": 2,
            "external_refs": {},
            "name": OPS_NAME,
            "kind": "department",
            "parent_id": root["id"],
            "lead_person_id": boss["id"],
            "links": [],
        },
        "boss": {
            **times("boss"),
            "version": 1,
            "external_refs": {},
            "given_name": "Zoë",
            "family_name": "Test",
            "email": "zoë@example.test",
            "user_name": None,
            "title": "Directrice",
            "department": None,
            "manager_id": None,
            "status": "active",
        },
        "worker": {
            **times("worker"),
            "version": 1,
            "external_refs": {"hris": "E-42", "crm": "u/42"},
            "given_name": WORKER_GIVEN,
            "family_name": WORKER_FAMILY,
            "email": "lukasz@example.test",
            "user_name": None,
            "title": None,
            "department": None,
            "manager_id": boss["id"],
            "status": "active",
        },
        "primary": {
            **times("primary"),
            "version": 1,
            "external_refs": {"hris": "M-1"},
            "person_id": worker["id"],
            "unit_id": ops["id"],
            "title": MEMBERSHIP_TITLE,
            "kind": "rotation",
            "primary": True,
            "starts_on": "2026-01-01",
            "ends_on": "2027-06-30",
        },
        "plain": {
            **times("plain"),
            "version": 1,
            "external_refs": {},
            "person_id": boss["id"],
            "unit_id": root["id"],
            "title": None,
            "kind": "member",
            "primary": False,
            "starts_on": None,
            "ends_on": None,
        },
    }
    assert ops_updated > expected["ops"]["created_at"]
    collection = {
        "root": "units",
        "ops": "units",
        "boss": "people",
        "worker": "people",
        "primary": "memberships",
        "plain": "memberships",
    }
    return Chart(h, org, {k: v["id"] for k, v in made.items()}, expected, collection)


def raw(text: str) -> bytes:
    """How a string appears inside the body: JSON-quoted, its UTF-8 bytes, no \\u escapes."""
    return b'"' + text.encode("utf-8") + b'"'


def assert_problem(r: httpx.Response, status: int, slug: str, title: str, detail: str, *, exact: bool = True) -> None:
    """An RFC 9457 problem document; `exact=False`: the detail need only contain `detail`."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert {k: body.get(k) for k in ("type", "title", "status")} == {
        "type": f"urn:liaison:problem:{slug}",
        "title": title,
        "status": status,
    }
    assert set(body) == {"type", "title", "status", "detail"}
    assert body["detail"] == detail if exact else detail in body["detail"], body["detail"]
    assert "etag" not in r.headers


async def read_exactly(client: httpx.AsyncClient, chart: Chart, name: str) -> httpx.Response:
    """The object's GET answers its expected body exactly, with its ETag, and the same object is the list's."""
    expected = chart.expected[name]
    path = f"/v1/{chart.collection[name]}/{chart.ids[name]}"
    r = await client.get(path, headers=chart.h)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.headers["etag"] == f'"{expected["id"]}.v{expected["version"]}"'
    body = r.json()
    assert body == expected
    # Types, which == alone would let slip (True == 1): a boolean is a boolean, a version an int.
    assert type(body["version"]) is int
    assert type(body["external_refs"]) is dict
    if "primary" in body:
        assert type(body["primary"]) is bool
    listed = await client.get(f"/v1/{chart.collection[name]}", params={"limit": 200}, headers=chart.h)
    assert listed.status_code == 200, listed.text
    assert [x for x in listed.json()["data"] if x["id"] == expected["id"]] == [body]
    return r


async def test_units_read_back_exactly(client: httpx.AsyncClient) -> None:
    chart = await org_chart(client)
    root = await read_exactly(client, chart, "root")
    ops = await read_exactly(client, chart, "ops")
    assert raw(ROOT_NAME) in root.content and raw(OPS_NAME) in ops.content
    assert b'"external_refs":{"hris":"ROOT-1"}' in root.content  # an object, not a string holding JSON
    assert b'"parent_id":null' in root.content and b'"lead_person_id":null' in root.content
    assert ops.headers["etag"].endswith('.v2"')


async def test_people_read_back_exactly(client: httpx.AsyncClient) -> None:
    chart = await org_chart(client)
    boss = await read_exactly(client, chart, "boss")
    worker = await read_exactly(client, chart, "worker")
    assert raw("Zoë") in boss.content and raw("zoë@example.test") in boss.content
    assert raw(WORKER_GIVEN) in worker.content
    assert raw(WORKER_FAMILY) in worker.content  # still decomposed: not normalized to NFC
    assert raw("Müller-Ærø") not in worker.content
    assert b'"title":null' in worker.content and b'"manager_id":null' in boss.content
    assert worker.json()["external_refs"] == {"hris": "E-42", "crm": "u/42"}


async def test_memberships_read_back_exactly(client: httpx.AsyncClient) -> None:
    chart = await org_chart(client)
    primary = await read_exactly(client, chart, "primary")
    plain = await read_exactly(client, chart, "plain")
    assert raw(MEMBERSHIP_TITLE) in primary.content
    assert b'"primary":true' in primary.content and b'"primary":false' in plain.content
    assert b'"starts_on":"2026-01-01"' in primary.content and b'"ends_on":"2027-06-30"' in primary.content
    assert b'"starts_on":null' in plain.content and b'"ends_on":null' in plain.content


def every_read(chart: Chart) -> list[str]:
    return [f"/v1/{chart.collection[n]}/{chart.ids[n]}" for n in ("root", "worker", "primary")]


async def test_reads_without_valid_credentials_are_401(client: httpx.AsyncClient) -> None:
    chart = await org_chart(client)
    wrong_secret = token(chart.org, "org:read", secret="not-the-secret-" + "y" * 40)
    for path in every_read(chart):
        missing = await client.get(path)
        assert_problem(missing, 401, "unauthenticated", "Unauthorized", "No bearer token was sent.")
        assert missing.headers["www-authenticate"] == 'Bearer realm="liaison"'

        not_bearer = await client.get(path, headers={"Authorization": "Basic dXNlcjpwYXNz"})
        detail = "The Authorization header must be `Bearer <token>`."
        assert_problem(not_bearer, 401, "unauthenticated", "Unauthorized", detail)

        malformed = await client.get(path, headers={"Authorization": "Bearer not-a-jwt"})
        assert_problem(malformed, 401, "unauthenticated", "Unauthorized", "The token is malformed.")
        assert malformed.headers["www-authenticate"] == (
            'Bearer realm="liaison", error="invalid_token", error_description="The token is malformed."'
        )

        forged = await client.get(path, headers={"Authorization": f"Bearer {wrong_secret}"})
        detail = "The token's signature or claims are invalid."
        assert_problem(forged, 401, "unauthenticated", "Unauthorized", detail)
        assert 'error="invalid_token"' in forged.headers["www-authenticate"]
        for refused in (missing, not_bearer, malformed, forged):
            assert chart.ids["root"] not in refused.text and ROOT_NAME not in refused.text


async def test_tokens_that_may_not_read_the_org_chart_are_403(client: httpx.AsyncClient) -> None:
    chart = await org_chart(client)
    for path in every_read(chart):
        for headers in (bearer(chart.org, "webhooks:read events:read"), PLATFORM):
            r = await client.get(path, headers=headers)
            assert_problem(r, 403, "forbidden", "Forbidden", "This token lacks the scope `org:read`.")
        # The scope alone is enough: the same read with `org:read` is answered.
        assert (await client.get(path, headers=bearer(chart.org, "org:read"))).status_code == 200


async def test_objects_that_are_not_the_callers_are_404(client: httpx.AsyncClient) -> None:
    chart = await org_chart(client)
    _other, other_h = await make_org(client, "Other")
    singular = {"units": "unit", "people": "person", "memberships": "membership"}
    for name in ("root", "worker", "primary"):
        collection, object_id = chart.collection[name], chart.ids[name]
        kind = singular[collection]
        nobody = await client.get(f"/v1/{collection}/{UNKNOWN[collection]}", headers=chart.h)
        assert_problem(nobody, 404, "not-found", "Not Found", f"No {kind} {UNKNOWN[collection]}.")
        # Another organization's object is answered exactly as one that does not exist: nothing leaks.
        theirs = await client.get(f"/v1/{collection}/{object_id}", headers=other_h)
        assert_problem(theirs, 404, "not-found", "Not Found", f"No {kind} {object_id}.")
        # Ids are case-sensitive.
        lower = await client.get(f"/v1/{collection}/{object_id.lower()}", headers=chart.h)
        assert_problem(lower, 404, "not-found", "Not Found", f"No {kind} {object_id.lower()}.")
        # An encoded slash is decoded before routing: no route has that shape.
        slash = await client.get(f"/v1/{collection}/x%2Fy", headers=chart.h)
        assert_problem(slash, 404, "not-found", "Not Found", "No such route.")


async def test_a_trailing_slash_redirects_to_the_object(client: httpx.AsyncClient) -> None:
    chart = await org_chart(client)
    for path in every_read(chart):
        for trailing in (path + "/", path + "%2F"):
            r = await client.get(trailing, headers=chart.h)
            assert r.status_code == 307, r.text
            assert r.headers["location"] == f"http://liaison.test{path}"
            assert r.content == b""
            followed = await client.get(trailing, headers=chart.h, follow_redirects=True)
            assert followed.status_code == 200 and followed.url.path == path
            assert followed.json()["id"] == path.rsplit("/", 1)[1]


async def test_a_nul_character_in_the_url_is_400(client: httpx.AsyncClient) -> None:
    chart = await org_chart(client)
    detail = "The URL contains a NUL character (%00), which no identifier or value can hold."
    for path in every_read(chart):
        collection = path.split("/")[2]
        for url in (f"/v1/{collection}/%00", f"/v1/{collection}/x%00y", f"{path}?as_of=%00"):
            r = await client.get(url, headers=chart.h)
            assert_problem(r, 400, "bad-request", "Bad Request", detail)


async def test_as_of_answers_the_object_as_it_stood(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    before = instant()
    u = await unit(client, h, "Avant", kind="team", external_refs={"hris": "U-1"})
    p = await person(client, h, "Émile", title="Stagiaire")
    m = await post(client, h, "/v1/memberships", {"person_id": p["id"], "unit_id": u["id"], "title": "Début"})
    first = {"units": u, "people": p, "memberships": m}
    between = instant()
    changes = {"units": {"name": "Après ✓"}, "people": {"title": "Ingénieur 🛠"}, "memberships": {"title": "Suite"}}
    second: dict[str, dict[str, Any]] = {}
    for collection, change in changes.items():
        r = await client.patch(f"/v1/{collection}/{first[collection]['id']}", json=change, headers={**h, **MERGE_PATCH})
        assert r.status_code == 200, r.text
        second[collection] = r.json()
        assert second[collection]["version"] == 2
    after = instant()
    for collection, obj in first.items():
        path = f"/v1/{collection}/{obj['id']}"
        gone = await client.get(path, params={"as_of": before}, headers=h)
        # The wording differs today (units and people add "at that instant", memberships do not).
        assert_problem(gone, 404, "not-found", "Not Found", obj["id"], exact=False)

        then = await client.get(path, params={"as_of": between}, headers=h)
        assert then.status_code == 200, then.text
        assert then.headers["content-type"] == "application/json"
        assert then.json() == obj  # the first version, whole, as its creation answered it
        assert then.headers["etag"] == f'"{obj["id"]}.v1"'

        now = await client.get(path, params={"as_of": after}, headers=h)
        assert now.status_code == 200, now.text
        assert now.json() == second[collection] == (await client.get(path, headers=h)).json()
        assert now.headers["etag"] == f'"{obj["id"]}.v2"'
        assert now.json() != obj

        naive = await client.get(path, params={"as_of": "2020-01-01T00:00:00"}, headers=h)
        assert naive.status_code == 422 and naive.headers["content-type"] == "application/problem+json"
        assert naive.json()["errors"][0]["field"] == "/as_of"


async def test_the_request_id_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    chart = await org_chart(client)
    path = every_read(chart)[1]
    sent = await client.get(path, headers={**chart.h, "X-Request-ID": "integrator-7"})
    assert sent.status_code == 200 and sent.headers["x-request-id"] == "integrator-7"
    # Echoed on refusals too, which are what an integrator most needs to quote.
    refused = await client.get(path, headers={"X-Request-ID": "integrator-8"})
    assert refused.status_code == 401 and refused.headers["x-request-id"] == "integrator-8"
    missing = await client.get(f"/v1/people/{UNKNOWN['people']}", headers={**chart.h, "X-Request-ID": "i-9"})
    assert missing.status_code == 404 and missing.headers["x-request-id"] == "i-9"
    nul = await client.get("/v1/people/%00", headers={**chart.h, "X-Request-ID": "i-10"})
    assert nul.status_code == 400 and nul.headers["x-request-id"] == "i-10"

    made = [await client.get(path, headers=chart.h) for _ in range(2)]
    too_long = await client.get(path, headers={**chart.h, "X-Request-ID": "x" * 201})
    unprintable = await client.get(path, headers={**chart.h, "X-Request-ID": "a\tb"})
    for r in (*made, too_long, unprintable):
        assert r.status_code == 200
        assert REQUEST_ID.fullmatch(r.headers["x-request-id"]), r.headers["x-request-id"]
    assert made[0].headers["x-request-id"] != made[1].headers["x-request-id"]


async def test_rate_limit_headers_are_on_every_read(database_url: str) -> None:
    application = create_app(make_settings(database_url, rate_limit="50/minute"))
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://liaison.test") as c:
            chart = await org_chart(c)
            reader = bearer(chart.org, "org:read", sub="reader")  # a window of its own
            answers = [await c.get(path, headers=reader) for path in every_read(chart)]
            assert [r.status_code for r in answers] == [200, 200, 200]
            for r in answers:
                assert r.headers["ratelimit-limit"] == "50"
                assert r.headers["ratelimit-policy"] == "50;w=60"
                assert 0 <= int(r.headers["ratelimit-reset"]) <= 60
            assert [r.headers["ratelimit-remaining"] for r in answers] == ["49", "48", "47"]
            # A read refused as not found is counted and announced like any other.
            missing = await c.get(f"/v1/people/{UNKNOWN['people']}", headers=reader)
            assert missing.status_code == 404 and missing.headers["ratelimit-remaining"] == "46"
    finally:
        await application.state.db.dispose()
        await empty_tables(database_url)
