"""Events: what changed, written in the same transaction as the change, and the catalogue of types."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.domain.clock import rfc3339


@dataclass(frozen=True)
class EventType:
    name: str
    description: str
    resource: str  # the kind of object in data.object


CATALOGUE: dict[str, EventType] = {
    t.name: t
    for t in [
        EventType("organization.created", "An organization was created.", "organization"),
        EventType("api_client.created", "An API client was created.", "api_client"),
        EventType("api_client.updated", "An API client's name, scopes or external refs changed.", "api_client"),
        EventType(
            "api_client.secret_rotated",
            "An API client got a new secret; the old one works until previous_secret_expires_at.",
            "api_client",
        ),
        EventType("api_client.deleted", "An API client was deleted; its credentials no longer work.", "api_client"),
        EventType("unit.created", "A unit was created.", "unit"),
        EventType("unit.updated", "A unit's name, kind, lead or external refs changed.", "unit"),
        EventType("unit.moved", "A unit got another parent (other fields may have changed with it).", "unit"),
        EventType("unit.deleted", "A unit was deleted.", "unit"),
        EventType("person.created", "A person was created.", "person"),
        EventType("person.updated", "A person's fields changed.", "person"),
        EventType("person.deactivated", "A person became inactive.", "person"),
        EventType("membership.created", "A person joined a unit.", "membership"),
        EventType("membership.updated", "A membership's title, kind, primary flag or dates changed.", "membership"),
        EventType(
            "membership.ended",
            "A membership ended: a change set an ends_on that has come, or the ends_on day came (the scheduler).",
            "membership",
        ),
        EventType("objective.created", "An objective was created.", "objective"),
        EventType("objective.updated", "An objective's fields (or only its health) changed.", "objective"),
        EventType("objective.activated", "An objective went from draft to active.", "objective"),
        EventType("objective.achieved", "An active objective was marked achieved.", "objective"),
        EventType("objective.missed", "An active objective was marked missed.", "objective"),
        EventType("objective.cancelled", "An objective was cancelled.", "objective"),
        EventType("objective.deleted", "An objective was deleted.", "objective"),
        EventType(
            "objective.progress_changed",
            "A roll-up moved an objective's progress (a check-in, or a change of its inputs below it).",
            "objective",
        ),
        EventType("key_result.created", "A key result was created.", "key_result"),
        EventType("key_result.updated", "A key result's fields changed.", "key_result"),
        EventType("key_result.deleted", "A key result was deleted.", "key_result"),
        EventType("key_result.progress_changed", "A check-in moved a key result's value.", "key_result"),
        EventType(
            "key_result.check_in_due",
            "A period of the key result's check-in cadence ended without a check-in (once per period).",
            "key_result",
        ),
        EventType("check_in.created", "A check-in was recorded on a key result.", "check_in"),
        EventType("handoff.created", "A handoff was drafted.", "handoff"),
        EventType("handoff.updated", "A handoff's draft, checklist, links or external refs changed.", "handoff"),
        EventType("handoff.sent", "A handoff was sent to its addressee; its clocks started.", "handoff"),
        EventType("handoff.accepted", "The receiving side accepted a handoff.", "handoff"),
        EventType("handoff.declined", "The receiving side declined a handoff (with a reason code).", "handoff"),
        EventType("handoff.waiting", "The receiving side waits on the sender; the complete clock pauses.", "handoff"),
        EventType("handoff.resumed", "The sender answered; the complete clock runs again, due_at moved.", "handoff"),
        EventType("handoff.forwarded", "The receiving side forwarded a handoff to another unit.", "handoff"),
        EventType("handoff.completed", "The receiving side completed a handoff.", "handoff"),
        EventType("handoff.cancelled", "The sending side cancelled a handoff.", "handoff"),
        EventType("handoff.sla_warning", "80 % of a clock's time is gone (data.clock: accept or complete).", "handoff"),
        EventType("handoff.overdue", "A clock ran past its deadline (data.clock: accept or complete).", "handoff"),
        EventType("handoff.comment_added", "A comment was added to a handoff.", "handoff_comment"),
        EventType("handoff_policy.created", "A handoff policy was created.", "handoff_policy"),
        EventType("handoff_policy.updated", "A handoff policy changed.", "handoff_policy"),
        EventType("handoff_policy.deleted", "A handoff policy was deleted.", "handoff_policy"),
        EventType("role.created", "A role was defined.", "role"),
        EventType("role.updated", "A role's name, description, responsibilities, unit or links changed.", "role"),
        EventType("role.deleted", "A role was deleted (with the RACI entries that named it).", "role"),
        EventType("role_assignment.created", "A person was given a role.", "role_assignment"),
        EventType("role_assignment.updated", "A role assignment's scope or dates changed.", "role_assignment"),
        EventType(
            "role_assignment.ended",
            "A role assignment ended: a change set an ends_on that has come, or the ends_on day came (the scheduler).",
            "role_assignment",
        ),
        EventType("role_assignment.deleted", "A role assignment was deleted (a mistake undone).", "role_assignment"),
        EventType("raci.created", "A party was given a letter (R, A, C or I) on a subject.", "raci_entry"),
        EventType("raci.updated", "A RACI entry's letter or inheritance changed.", "raci_entry"),
        EventType(
            "raci.deleted",
            "A RACI entry was deleted (by itself, or with the subject or party it named).",
            "raci_entry",
        ),
        EventType(
            "feedback.created",
            "Feedback was given. Its body only when public; an anonymous item's event is released after its day"
            " ends, under an id of that moment, with actor `anonymous`.",
            "feedback",
        ),
        EventType("feedback_request.created", "People were asked for feedback by a date.", "feedback_request"),
        EventType("feedback_request.updated", "A feedback request's message or date changed.", "feedback_request"),
        EventType("feedback_request.deleted", "A feedback request nobody answered was deleted.", "feedback_request"),
        EventType(
            "feedback_request.due", "A feedback request's date passed with someone yet to answer.", "feedback_request"
        ),
        EventType("survey.created", "A survey was scheduled.", "survey"),
        EventType("survey.updated", "A survey's fields changed.", "survey"),
        EventType("survey.deleted", "A survey nobody answered was deleted.", "survey"),
        EventType("survey.opened", "A survey opened: its audience was resolved to people.", "survey"),
        EventType("survey.closed", "A survey closed: no more responses; its anonymity key is deleted.", "survey"),
        EventType(
            "survey.response_added",
            "Someone answered a survey (an anonymous survey's: released after the day ends, naming no one).",
            "survey_response",
        ),
        EventType("calendar_feed.created", "A calendar feed was made (its URL is in no event).", "calendar_feed"),
        EventType("calendar_feed.deleted", "A calendar feed was revoked: its URL answers 404.", "calendar_feed"),
        EventType("webhook_endpoint.created", "A webhook endpoint was created.", "webhook_endpoint"),
        EventType(
            "webhook_endpoint.updated",
            "A webhook endpoint's URL, event types, description or state changed.",
            "webhook_endpoint",
        ),
        EventType("webhook_endpoint.deleted", "A webhook endpoint was deleted.", "webhook_endpoint"),
        EventType(
            "webhook_endpoint.disabled",
            "An endpoint was disabled: it answered 410, or kept failing past the retry schedule.",
            "webhook_endpoint",
        ),
    ]
}


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    organization_id: str
    occurred_at: datetime
    actor: dict[str, Any]
    object: dict[str, Any]
    previous_attributes: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)  # more of `data` (a clock's name: `data.clock`)
    # An anonymous item's event: held out of the log (and webhooks) until this instant, then released
    # under a new id of that moment (app/domain/feedback/anonymity.py).
    release_after: datetime | None = None

    def __post_init__(self) -> None:
        if self.type not in CATALOGUE:
            raise ValueError(f"event type {self.type!r} is not in the catalogue")

    @property
    def data(self) -> dict[str, Any]:
        return {**self.details, "object": self.object, "previous_attributes": self.previous_attributes}

    def resource(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "occurred_at": rfc3339(self.occurred_at),
            "organization_id": self.organization_id,
            "actor": self.actor,
            "data": self.data,
        }


# The subjects of RACI an event is about, by the kind of its object: the fields of `data.object` that name
# them. An objective's feed holds its key results' and check-ins' events too.
SUBJECT_FIELDS: dict[str, tuple[str, ...]] = {
    "unit": ("id",),
    "objective": ("id",),
    "key_result": ("id", "objective_id"),
    "check_in": ("key_result_id", "objective_id"),
    "handoff": ("id",),
    "handoff_comment": ("handoff_id",),
    "raci_entry": ("subject_id",),
}


def subjects_of(event: Event) -> list[str]:
    names = SUBJECT_FIELDS.get(CATALOGUE[event.type].resource, ())
    return list(dict.fromkeys(v for n in names if isinstance(v := event.object.get(n), str) and v))


# Event-type patterns, for webhook subscriptions and the event feed's `type` filter: an exact name, a
# family (`unit.*`) or `*`. A family may name one of the contract's areas before its events exist.
KNOWN_PREFIXES = {t.split(".")[0] for t in CATALOGUE} | {
    "role",
    "role_assignment",
    "raci",
    "objective",
    "key_result",
    "check_in",
    "handoff",
    "handoff_policy",
    "feedback",
    "feedback_request",
    "survey",
    "webhook_endpoint",
}
EXTRA_TYPES = {"webhook_endpoint.disabled"}  # sent to endpoints, not kept in the log


def is_known_pattern(pattern: str) -> bool:
    return (
        pattern == "*"
        or pattern in CATALOGUE
        or pattern in EXTRA_TYPES
        or (pattern.endswith(".*") and pattern[:-2] in KNOWN_PREFIXES)
    )


def pattern_matches(patterns: list[str], event_type: str) -> bool:
    return any(p in ("*", event_type) or (p.endswith(".*") and event_type.startswith(p[:-1])) for p in patterns)


def expand_patterns(patterns: list[str]) -> list[str] | None:
    """The catalogue's types the patterns name; None when they name every type (`*`)."""
    if "*" in patterns:
        return None
    return sorted(t for t in CATALOGUE if pattern_matches(patterns, t))
