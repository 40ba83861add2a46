"""Calendar feeds: a unit's (or a person's) dates as iCalendar at a secret URL, parsed with the `icalendar`
package: the expected events with UIDs that stay the same across reads, in the organization's time zone,
nothing of another unit, a revoked or forged URL answering 404, and the URL's token in no log line."""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from icalendar import Calendar

from tests.factories import PLATFORM, bearer
from tests.handoffs.helpers import act, handoff, person
from tests.objectives.helpers import key_result, objective, unit
from tests.processes import served

SURVEY = {"questions": [{"id": "q1", "text": "How?", "type": "scale"}], "opens_at": "2998-01-01T00:00:00Z",
          "closes_at": "2998-06-30T16:00:00Z"}  # fmt: skip


def events(body: bytes) -> dict[str, Any]:
    calendar = Calendar.from_ical(body)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


async def seed(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, str]]:
    org = (await client.post("/v1/organizations", headers=PLATFORM, json={
        "name": "Cal", "slug": f"cal-{secrets.token_hex(3)}", "time_zone": "Europe/Paris"})).json()  # fmt: skip
    h = bearer(org["id"], "admin")
    ids = {"sales": await unit(client, h, "Sales"), "delivery": await unit(client, h, "Delivery"),
           "other": await unit(client, h, "Other"), "ops": await unit(client, h, "Ops")}  # fmt: skip
    ids["ada"] = await person(client, h, "Ada")
    sent = await handoff(client, h, ids["sales"], ids["delivery"], title="Acme renewal",
                         accept_by="2998-04-01T08:00:00Z", due_at="2998-04-03T15:00:00Z", to_person_id=ids["ada"])  # fmt: skip
    await act(client, h, sent["id"], "send")
    theirs = await handoff(client, h, ids["other"], ids["ops"], title="Not Sales'", due_at="2998-04-05T15:00:00Z")
    await act(client, h, theirs["id"], "send")
    goal = await objective(client, h, ids["sales"], title="Grow", period_start="2998-01-01", period_end="2998-03-31")
    await key_result(client, h, goal["id"], 10, title="Deals", check_in_cadence="weekly")
    await objective(client, h, ids["other"], title="Other's goal")
    r = await client.post(
        "/v1/surveys", headers=h, json={"title": "Pulse", "audience_unit_ids": [ids["sales"]], **SURVEY}
    )
    assert r.status_code == 201, r.text
    ids |= {"handoff": sent["id"], "theirs": theirs["id"], "objective": goal["id"], "survey": r.json()["id"]}
    return ids, h


def test_a_units_feed(database_url: str, tmp_path: Path) -> None:
    import asyncio

    log = tmp_path / "serve.log"
    with served(database_url, log, log_level="INFO") as base, httpx.Client(base_url=base) as http:

        async def seeded() -> tuple[dict[str, str], dict[str, str]]:
            async with httpx.AsyncClient(base_url=base) as client:
                return await seed(client)

        ids, h = asyncio.run(seeded())
        made = http.post("/v1/calendar-feeds", headers=h, json={"owner_type": "unit", "owner_id": ids["sales"]})
        assert made.status_code == 201, made.text
        url = made.json()["url"]
        token = url.rsplit("/", 1)[1].removesuffix(".ics")
        assert "url" not in http.get(f"/v1/calendar-feeds/{made.json()['id']}", headers=h).json()
        first, second = httpx.get(url), httpx.get(url)  # no bearer token: the URL is the credential
        head = httpx.head(url)  # calendar apps probe with HEAD
        assert head.status_code == 200 and head.headers["content-type"].startswith("text/calendar")
        assert "X-WR-CALNAME:Liaison: Sales" in first.text
        assert first.status_code == 200 and first.headers["content-type"].startswith("text/calendar")
        found = events(first.content)
        assert set(found) == set(events(second.content))  # stable UIDs
        assert set(found) == {
            f"handoff-{ids['handoff']}-accept@liaison", f"handoff-{ids['handoff']}-due@liaison",
            f"objective-{ids['objective']}-period@liaison",
            *(u for u in found if u.startswith("key_result-")),
            f"survey-{ids['survey']}-closes@liaison",
        } and any(u.startswith("key_result-") for u in found)  # fmt: skip
        assert ids["theirs"] not in first.text and "Other" not in first.text
        due = found[f"handoff-{ids['handoff']}-due@liaison"]
        start = due.decoded("DTSTART")
        assert isinstance(start, datetime) and start.tzinfo is not None
        assert start == datetime(2998, 4, 3, 15, tzinfo=ZoneInfo("UTC"))
        assert start.utcoffset() == ZoneInfo("Europe/Paris").utcoffset(start.replace(tzinfo=None))  # in Paris time
        assert str(due["SUMMARY"]) == "Due: Acme renewal"
        period = found[f"objective-{ids['objective']}-period@liaison"]
        assert str(period.decoded("DTSTART")) == "2998-01-01" and str(period.decoded("DTEND")) == "2998-04-01"

        forged = url.replace(token, token[:-3] + "abc")
        assert httpx.get(forged).status_code == 404
        assert httpx.post(url).status_code == 405
        assert http.delete(f"/v1/calendar-feeds/{made.json()['id']}", headers=h).status_code == 204
        assert httpx.get(url).status_code == 404  # revoked
    text = log.read_text()
    assert '"route": "/v1/calendar/{feed_token}.ics"' in text  # the feed's requests are logged…
    assert token not in text and token.split(".")[1] not in text  # …never with the URL's token


async def test_a_persons_feed_and_what_its_creator_may_read(client: httpx.AsyncClient) -> None:
    ids, h = await seed(client)
    org = (await client.get("/v1/me", headers=h)).json()["organization"]["id"]
    r = await client.post("/v1/calendar-feeds", headers=h, json={"owner_type": "person", "owner_id": ids["ada"]})
    person_feed = events((await client.get(r.json()["url"])).content)
    assert set(person_feed) == {f"handoff-{ids['handoff']}-accept@liaison", f"handoff-{ids['handoff']}-due@liaison"}
    only_handoffs = bearer(org, "org:read org:write handoffs:read")
    r = await client.post(
        "/v1/calendar-feeds", headers=only_handoffs, json={"owner_type": "unit", "owner_id": ids["sales"]}
    )
    assert r.status_code == 201 and r.json()["areas"] == ["handoffs"], r.text
    only = r.json()
    assert all(u.startswith("handoff-") for u in events((await client.get(only["url"])).content))
    for scopes in ("org:read org:write", "org:read handoffs:read"):  # no area it may read; no org:write
        body = {"owner_type": "unit", "owner_id": ids["sales"]}
        r = await client.post("/v1/calendar-feeds", headers=bearer(org, scopes), json=body)
        assert r.status_code == 403, (scopes, r.text)
    as_ada = bearer(org, "org:read handoffs:read", person=ids["ada"])
    r = await client.post("/v1/calendar-feeds", headers=as_ada, json={"owner_type": "person", "owner_id": ids["ada"]})
    assert r.status_code == 201
    other = await person(client, h, "Bob")
    r = await client.post("/v1/calendar-feeds", headers=as_ada, json={"owner_type": "person", "owner_id": other})
    assert r.status_code == 403  # a token acting as Ada makes Ada's feed only
    # …and sees and revokes Ada's feeds only: the others are none of its business (404)
    listed = (await client.get("/v1/calendar-feeds", headers=as_ada)).json()["data"]
    assert listed and all(f["owner_id"] == ids["ada"] for f in listed)
    assert (await client.get(f"/v1/calendar-feeds/{only['id']}", headers=as_ada)).status_code == 404
    assert (await client.delete(f"/v1/calendar-feeds/{only['id']}", headers=as_ada)).status_code == 404
    assert (await client.delete(f"/v1/calendar-feeds/{only['id']}", headers=bearer(org, "org:read"))).status_code == 403
    assert (await client.delete(f"/v1/calendar-feeds/{listed[0]['id']}", headers=as_ada)).status_code == 204
    found = (await client.get("/v1/events", params={"type": "calendar_feed.*"}, headers=h)).json()["data"]
    kinds = [e["type"] for e in found]
    assert kinds.count("calendar_feed.created") == 3 and kinds.count("calendar_feed.deleted") == 1
    assert "lcf_" not in str((await client.get("/v1/events", params={"limit": 200}, headers=h)).json())
    for bad in ({"owner_type": "team", "owner_id": ids["sales"]}, {"owner_type": "unit", "owner_id": "unit_01NOPE"},
                {"owner_type": "unit"}):  # fmt: skip
        r = await client.post("/v1/calendar-feeds", headers=h, json=bad)
        assert r.status_code == 422, (bad, r.text)
