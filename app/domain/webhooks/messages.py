"""Messages a person can read, for the chat formats of webhook endpoints (Slack, Microsoft Teams, WeChat
Work): one catalogue of templates, one per event type and locale, filled from the event's object and the
names of what it names (units, people, roles, objectives), with dates in the organization's time zone.

A template names its values in braces: {name} (the object's name or title), {unit}, {from_unit},
{to_unit}, {person}, {role}, {objective}, {due} (", due Friday 3 April" when there is a date), {progress},
{status}, {letter}, {clock}. A message never carries what the event's reader may not see: no feedback or
comment body, no author of anything anonymous."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from babel.dates import format_date

if TYPE_CHECKING:
    from app.domain.ports import UnitOfWork

FORMATS = ("standard", "slack", "teams", "wecom")
LOCALES = ("en", "fr")
PLACEHOLDERS = frozenset(
    {
        "name",
        "unit",
        "from_unit",
        "to_unit",
        "person",
        "role",
        "objective",
        "due",
        "progress",
        "status",
        "letter",
        "clock",
    }
)
DUE = {"en": ", due {date}", "fr": ", pour le {date}"}
UNKNOWN = {"en": "(unknown)", "fr": "(inconnu)"}
OPEN = {"en": "Open", "fr": "Ouvrir"}

TEMPLATES: dict[str, dict[str, str]] = {
    "api_client.created": {"en": "API client '{name}' was created", "fr": "Le client d'API « {name} » a été créé"},
    "api_client.deleted": {"en": "API client '{name}' was deleted", "fr": "Le client d'API « {name} » a été supprimé"},
    "api_client.secret_rotated": {"en": "API client '{name}' got a new secret",
                                  "fr": "Le client d'API « {name} » a un nouveau secret"},
    "api_client.updated": {"en": "API client '{name}' changed", "fr": "Le client d'API « {name} » a changé"},
    "calendar_feed.created": {"en": "A calendar feed of {unit}{person} was made",
                              "fr": "Un calendrier de {unit}{person} a été créé"},
    "calendar_feed.deleted": {"en": "A calendar feed of {unit}{person} was revoked",
                              "fr": "Un calendrier de {unit}{person} a été révoqué"},
    "check_in.created": {"en": "A check-in was recorded on '{objective}'",
                         "fr": "Un point d'étape a été enregistré sur « {objective} »"},
    "feedback.created": {"en": "Feedback was given to {person}{unit}", "fr": "Un retour a été donné à {person}{unit}"},
    "feedback_request.created": {"en": "{person} asked for feedback{due}", "fr": "{person} demande un retour{due}"},
    "feedback_request.deleted": {"en": "A feedback request by {person} was withdrawn",
                                 "fr": "Une demande de retour de {person} a été retirée"},
    "feedback_request.due": {"en": "A feedback request by {person} is due and still awaits answers",
                             "fr": "La demande de retour de {person} est échue et attend encore des réponses"},
    "feedback_request.updated": {"en": "A feedback request by {person} changed{due}",
                                 "fr": "La demande de retour de {person} a changé{due}"},
    "handoff.accepted": {"en": "{to_unit} accepted '{name}' from {from_unit}{due}",
                         "fr": "{to_unit} a accepté « {name} » de {from_unit}{due}"},
    "handoff.cancelled": {"en": "{from_unit} cancelled the handoff '{name}' to {to_unit}",
                          "fr": "{from_unit} a annulé la passation « {name} » vers {to_unit}"},
    "handoff.comment_added": {"en": "A comment was added to '{name}' ({from_unit} → {to_unit})",
                              "fr": "Un commentaire a été ajouté à « {name} » ({from_unit} → {to_unit})"},
    "handoff.completed": {"en": "{to_unit} completed '{name}' for {from_unit}",
                          "fr": "{to_unit} a terminé « {name} » pour {from_unit}"},
    "handoff.created": {"en": "{from_unit} drafted a handoff '{name}' to {to_unit}",
                        "fr": "{from_unit} a préparé une passation « {name} » vers {to_unit}"},
    "handoff.declined": {"en": "{to_unit} declined '{name}' from {from_unit}",
                         "fr": "{to_unit} a refusé « {name} » de {from_unit}"},
    "handoff.forwarded": {"en": "'{name}' from {from_unit} was forwarded to {to_unit}{due}",
                          "fr": "« {name} » de {from_unit} a été transmis à {to_unit}{due}"},
    "handoff.overdue": {"en": "'{name}' ({from_unit} → {to_unit}) is overdue ({clock})",
                        "fr": "« {name} » ({from_unit} → {to_unit}) est en retard ({clock})"},
    "handoff.resumed": {"en": "{from_unit} answered on '{name}': {to_unit} can go on{due}",
                        "fr": "{from_unit} a répondu sur « {name} » : {to_unit} peut reprendre{due}"},
    "handoff.sent": {"en": "{from_unit} handed off '{name}' to {to_unit}{due}",
                     "fr": "{from_unit} a transmis « {name} » à {to_unit}{due}"},
    "handoff.sla_warning": {"en": "'{name}' ({from_unit} → {to_unit}) is close to its deadline ({clock}){due}",
                            "fr": "« {name} » ({from_unit} → {to_unit}) approche de son échéance ({clock}){due}"},
    "handoff.updated": {"en": "The handoff '{name}' ({from_unit} → {to_unit}) changed",
                        "fr": "La passation « {name} » ({from_unit} → {to_unit}) a changé"},
    "handoff.waiting": {"en": "{to_unit} is waiting on {from_unit} for '{name}'",
                        "fr": "{to_unit} attend {from_unit} pour « {name} »"},
    "handoff_policy.created": {"en": "A handoff policy from {from_unit} to {to_unit} was created",
                               "fr": "Une règle de passation de {from_unit} vers {to_unit} a été créée"},
    "handoff_policy.deleted": {"en": "A handoff policy from {from_unit} to {to_unit} was deleted",
                               "fr": "Une règle de passation de {from_unit} vers {to_unit} a été supprimée"},
    "handoff_policy.updated": {"en": "The handoff policy from {from_unit} to {to_unit} changed",
                               "fr": "La règle de passation de {from_unit} vers {to_unit} a changé"},
    "key_result.check_in_due": {"en": "Key result '{name}' of '{objective}' awaits its check-in",
                                "fr": "Le résultat clé « {name} » de « {objective} » attend son point d'étape"},
    "key_result.created": {"en": "Key result '{name}' was added to '{objective}'",
                           "fr": "Le résultat clé « {name} » a été ajouté à « {objective} »"},
    "key_result.deleted": {"en": "Key result '{name}' was removed from '{objective}'",
                           "fr": "Le résultat clé « {name} » a été retiré de « {objective} »"},
    "key_result.progress_changed": {"en": "Key result '{name}' of '{objective}' is at {progress}",
                                    "fr": "Le résultat clé « {name} » de « {objective} » est à {progress}"},
    "key_result.updated": {"en": "Key result '{name}' of '{objective}' changed",
                           "fr": "Le résultat clé « {name} » de « {objective} » a changé"},
    "membership.created": {"en": "{person} joined {unit}", "fr": "{person} a rejoint {unit}"},
    "membership.ended": {"en": "{person} left {unit}", "fr": "{person} a quitté {unit}"},
    "membership.updated": {"en": "{person}'s membership of {unit} changed",
                           "fr": "L'appartenance de {person} à {unit} a changé"},
    "objective.achieved": {"en": "{unit} achieved '{name}'", "fr": "{unit} a atteint « {name} »"},
    "objective.activated": {"en": "{unit} started '{name}'{due}", "fr": "{unit} a lancé « {name} »{due}"},
    "objective.cancelled": {"en": "{unit} cancelled '{name}'", "fr": "{unit} a annulé « {name} »"},
    "objective.created": {"en": "{unit} drafted the objective '{name}'{due}",
                          "fr": "{unit} a préparé l'objectif « {name} »{due}"},
    "objective.deleted": {"en": "The objective '{name}' of {unit} was deleted",
                          "fr": "L'objectif « {name} » de {unit} a été supprimé"},
    "objective.missed": {"en": "{unit} missed '{name}'", "fr": "{unit} a manqué « {name} »"},
    "objective.progress_changed": {"en": "'{name}' ({unit}) is at {progress}",
                                   "fr": "« {name} » ({unit}) est à {progress}"},
    "objective.updated": {"en": "The objective '{name}' of {unit} changed",
                          "fr": "L'objectif « {name} » de {unit} a changé"},
    "organization.created": {"en": "The organization '{name}' was created", "fr": "L'organisation « {name} » a été créée"},
    "person.created": {"en": "{name} joined the organization", "fr": "{name} a rejoint l'organisation"},
    "person.deactivated": {"en": "{name} is no longer active", "fr": "{name} n'est plus actif·ve"},
    "person.updated": {"en": "{name}'s details changed", "fr": "Les informations de {name} ont changé"},
    "raci.created": {"en": "{person}{unit}{role} is now {letter} on '{name}'",
                     "fr": "{person}{unit}{role} est désormais {letter} sur « {name} »"},
    "raci.deleted": {"en": "{person}{unit}{role} is no longer {letter} on '{name}'",
                     "fr": "{person}{unit}{role} n'est plus {letter} sur « {name} »"},
    "raci.updated": {"en": "{person}{unit}{role} is now {letter} on '{name}'",
                     "fr": "{person}{unit}{role} est désormais {letter} sur « {name} »"},
    "role.created": {"en": "The role '{name}' was defined{unit}", "fr": "Le rôle « {name} » a été défini{unit}"},
    "role.deleted": {"en": "The role '{name}' was deleted", "fr": "Le rôle « {name} » a été supprimé"},
    "role.updated": {"en": "The role '{name}' changed", "fr": "Le rôle « {name} » a changé"},
    "role_assignment.created": {"en": "{person} now holds the role '{role}'{unit}",
                                "fr": "{person} tient désormais le rôle « {role} »{unit}"},
    "role_assignment.deleted": {"en": "{person}'s role '{role}' was withdrawn",
                                "fr": "Le rôle « {role} » de {person} a été retiré"},
    "role_assignment.ended": {"en": "{person} no longer holds the role '{role}'",
                              "fr": "{person} ne tient plus le rôle « {role} »"},
    "role_assignment.updated": {"en": "{person}'s role '{role}' changed",
                                "fr": "Le rôle « {role} » de {person} a changé"},
    "survey.closed": {"en": "The survey '{name}' closed", "fr": "L'enquête « {name} » est close"},
    "survey.created": {"en": "The survey '{name}' was scheduled{due}", "fr": "L'enquête « {name} » est prévue{due}"},
    "survey.deleted": {"en": "The survey '{name}' was deleted", "fr": "L'enquête « {name} » a été supprimée"},
    "survey.opened": {"en": "The survey '{name}' is open{due}", "fr": "L'enquête « {name} » est ouverte{due}"},
    "survey.response_added": {"en": "The survey '{name}' got an answer", "fr": "L'enquête « {name} » a reçu une réponse"},
    "survey.updated": {"en": "The survey '{name}' changed", "fr": "L'enquête « {name} » a changé"},
    "unit.created": {"en": "The unit {name} was created", "fr": "L'unité {name} a été créée"},
    "unit.deleted": {"en": "The unit {name} was deleted", "fr": "L'unité {name} a été supprimée"},
    "unit.moved": {"en": "The unit {name} moved under {unit}", "fr": "L'unité {name} a été placée sous {unit}"},
    "unit.updated": {"en": "The unit {name} changed", "fr": "L'unité {name} a changé"},
    "webhook_endpoint.created": {"en": "A webhook endpoint was created", "fr": "Un point de réception a été créé"},
    "webhook_endpoint.deleted": {"en": "A webhook endpoint was deleted", "fr": "Un point de réception a été supprimé"},
    "webhook_endpoint.disabled": {"en": "A webhook endpoint was disabled: {status}",
                                  "fr": "Un point de réception a été désactivé : {status}"},
    "webhook_endpoint.updated": {"en": "A webhook endpoint changed", "fr": "Un point de réception a changé"},
    "ping": {"en": "Liaison says hello: this endpoint receives its messages",
             "fr": "Liaison vous salue : ce point de réception reçoit ses messages"},
}  # fmt: skip

# Where each placeholder's id is found in an event's object, by what it names.
UNIT_FIELDS = ("owner_unit_id", "unit_id", "recipient_unit_id", "parent_id", "about_unit_id")
PERSON_FIELDS = ("person_id", "recipient_person_id", "requester_person_id", "owner_person_id", "to_person_id")


@dataclass(frozen=True)
class Message:
    text: str  # one line a person reads
    link: str | None  # the first of the object's links (a ticket, a document, a channel), if any
    link_title: str


def wanted_ids(obj: dict[str, Any]) -> tuple[set[str], set[str], set[str], set[str]]:
    """The units, people and roles an event's object names, and the objectives, handoffs and key results
    (named by their titles), whose names a message shows."""
    units = {obj[k] for k in ("from_unit_id", "to_unit_id", *UNIT_FIELDS) if isinstance(obj.get(k), str)}
    people = {obj[k] for k in PERSON_FIELDS if isinstance(obj.get(k), str)}
    roles = {obj["role_id"]} if isinstance(obj.get("role_id"), str) else set()
    titled = {obj["objective_id"]} if isinstance(obj.get("objective_id"), str) else set()
    if obj.get("owner_type") in ("unit", "person") and isinstance(obj.get("owner_id"), str):  # a calendar feed
        (units if obj["owner_type"] == "unit" else people).add(obj["owner_id"])
    for party in ("party", "subject"):
        kind, ident = obj.get(f"{party}_type"), obj.get(f"{party}_id")
        if isinstance(ident, str):
            {"unit": units, "person": people, "role": roles, "objective": titled, "handoff": titled,
             "key_result": titled}.get(str(kind), set()).add(ident)  # fmt: skip
    return units, people, roles, titled


def render(event_type: str, payload: dict[str, Any], names: dict[str, str], locale: str, zone: str) -> Message:
    """The message of one event (`payload` as the standard format sends it) in `locale`; `names`: id → name
    of what the object names; dates in the time zone `zone`."""
    lang = locale if locale in LOCALES else "en"
    templates = TEMPLATES.get(event_type) or TEMPLATES["ping"]
    found = payload.get("data")
    data: dict[str, Any] = found if isinstance(found, dict) else {}
    obj: dict[str, Any] = data["object"] if isinstance(data.get("object"), dict) else {}
    values = _values(event_type.split(".")[0], obj, data, names, lang, zone)
    text = templates.get(lang, templates["en"]).format_map(values)
    listed = obj.get("links")
    links: list[Any] = listed if isinstance(listed, list) else []
    first = next((x for x in links if isinstance(x, dict) and isinstance(x.get("url"), str)), None)
    return Message(
        text, first["url"] if first else None, str(first.get("title") or OPEN[lang]) if first else OPEN[lang]
    )


def _values(
    family: str, obj: dict[str, Any], data: dict[str, Any], names: dict[str, str], lang: str, zone: str
) -> dict[str, str]:
    def name_of(ident: Any) -> str:
        return names.get(ident, UNKNOWN[lang]) if isinstance(ident, str) and ident else ""

    def within(ident: Any) -> str:  # " (Sales)": the unit something is scoped to, when it is
        return f" ({name_of(ident)})" if ident else ""

    given, family_name = obj.get("given_name"), obj.get("family_name")
    person = f"{given} {family_name}" if given and family_name else None
    own = obj.get("name") or person or obj.get("title")
    progress = obj.get("progress")
    values = {
        "name": str(own or obj.get("id", "")),
        "unit": name_of(next((obj[k] for k in UNIT_FIELDS if obj.get(k)), None)),
        "from_unit": name_of(obj.get("from_unit_id")),
        "to_unit": name_of(obj.get("to_unit_id")),
        "person": name_of(next((obj[k] for k in PERSON_FIELDS if obj.get(k)), None)),
        "role": name_of(obj.get("role_id")),
        "objective": name_of(obj.get("objective_id")) if obj.get("objective_id") else str(own or ""),
        "due": _due(obj, lang, zone),
        "progress": f"{round(float(progress) * 100)} %" if isinstance(progress, int | float) else "",
        "status": str(obj.get("disabled_reason") or obj.get("status") or ""),
        "letter": str(obj.get("letter") or ""),
        "clock": str(data.get("clock") or ""),
    }
    if family == "calendar_feed":  # its owner: a unit or a person
        owner = name_of(obj.get("owner_id"))
        values |= {
            "unit": owner if obj.get("owner_type") == "unit" else "",
            "person": owner if obj.get("owner_type") == "person" else "",
        }
    elif family == "objective":  # its owner: a unit, else a person
        values["unit"] = name_of(obj.get("owner_unit_id") or obj.get("owner_person_id"))
    elif family in ("role", "role_assignment"):
        values["unit"] = within(obj.get("unit_id"))
    elif family == "feedback":
        values["unit"] = within(obj.get("recipient_unit_id")) if obj.get("recipient_person_id") else values["unit"]
        values["person"] = values["person"] if obj.get("recipient_person_id") else ""
    elif family == "raci":  # one party: a person, a unit or a role; the subject is the name
        party = name_of(obj.get("party_id"))
        values |= {"person": party if obj.get("party_type") == "person" else "",
                   "unit": party if obj.get("party_type") == "unit" else "",
                   "role": party if obj.get("party_type") == "role" else "",
                   "name": name_of(obj.get("subject_id"))}  # fmt: skip
    return values


def _due(obj: dict[str, Any], lang: str, zone: str) -> str:
    """The object's date, as a person reads it: a handoff's due date, a request's, a survey's closing day,
    an objective's end."""
    raw = next((obj[k] for k in ("due_at", "closes_at", "period_end") if obj.get(k)), None)
    if not isinstance(raw, str):
        return ""
    try:
        if "T" in raw:
            day: date = datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(ZoneInfo(zone)).date()
        else:
            day = date.fromisoformat(raw)
    except (ValueError, KeyError):
        return ""
    return DUE[lang].format(date=format_date(day, "EEEE d MMMM", locale=lang))


def body(fmt: str, message: Message, event_type: str) -> dict[str, Any]:
    """The request body of a chat format: Slack's incoming webhook, a Teams workflow's Adaptive Card, or
    WeChat Work's group robot markdown."""
    if fmt == "slack":
        text = _slack(message.text)  # names are the organization's words, never Slack's commands
        blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
        if message.link:
            blocks.append({"type": "actions", "elements": [{
                "type": "button", "text": {"type": "plain_text", "text": message.link_title[:75]}, "url": message.link}]})  # fmt: skip
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _slack(event_type)}]})
        return {"text": text, "blocks": blocks}
    if fmt == "teams":
        card: dict[str, Any] = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": [
                {"type": "TextBlock", "text": _markdown(message.text), "wrap": True, "weight": "Bolder"},
                {"type": "TextBlock", "text": event_type, "isSubtle": True, "spacing": "None", "size": "Small"},
            ],
        }
        if message.link:
            card["actions"] = [{"type": "Action.OpenUrl", "title": message.link_title, "url": message.link}]
        return {"type": "message", "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}]}  # fmt: skip
    content = f"**{_markdown(message.text)}**\n> {event_type}"
    if message.link:
        content += f"\n[{message.link_title}]({message.link})"
    return {"msgtype": "markdown", "markdown": {"content": content}}


_MARKDOWN = re.compile(r"([\\`*_\[\]()#~<>])")  # what makes emphasis, links, code, headings or HTML


def _markdown(text: str) -> str:
    """Teams' and WeChat Work's markdown: a name's characters shown as written, never as a link or markup."""
    return _MARKDOWN.sub(r"\\\1", text)


def _slack(text: str) -> str:
    """Slack's three characters to escape in mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


async def chat_body(
    uow: UnitOfWork, organization_id: str, endpoint_format: str, locale: str, payload: dict[str, Any]
) -> dict[str, Any]:
    """The body a chat-format endpoint receives for one delivery: the names of what the event's object names
    read in the organization's unit of work (a few statements), the organization's time zone for dates."""
    data = payload.get("data") if isinstance(payload.get("data"), dict) else None
    obj = data.get("object") if data is not None and isinstance(data.get("object"), dict) else {}
    unit_ids, person_ids, role_ids, titled_ids = wanted_ids(obj or {})
    names: dict[str, str] = {}
    names.update({u.id: u.name for u in await uow.units.get_many(sorted(unit_ids))} if unit_ids else {})
    if person_ids:
        names.update({p.id: f"{p.given_name} {p.family_name}" for p in await uow.people.get_many(sorted(person_ids))})
    names.update({r.id: r.name for r in await uow.roles.get_many(sorted(role_ids))} if role_ids else {})
    titled = sorted(titled_ids)
    if titled:
        for repo in (uow.objectives, uow.handoffs, uow.key_results):
            names.update({x.id: x.title for x in await repo.get_many(titled)})
    if isinstance(obj, dict) and isinstance(obj.get("handoff_id"), str):  # a comment: its handoff's words
        handoff = await uow.handoffs.get(obj["handoff_id"])
        if handoff is not None:
            obj = {"title": handoff.title, "from_unit_id": handoff.from_unit_id, "to_unit_id": handoff.to_unit_id}
            names.update({u.id: u.name for u in await uow.units.get_many([handoff.from_unit_id, handoff.to_unit_id])})
            payload = {**payload, "data": {**(data or {}), "object": obj}}
    org = await uow.organizations.get(organization_id)
    zone = org.time_zone if org is not None else "UTC"
    message = render(str(payload.get("type")), payload, names, locale, zone)
    return body(endpoint_format, message, str(payload.get("type")))
