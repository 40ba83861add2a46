"""Opaque ids that begin with their type and are time-ordered after the prefix (a ULID)."""

from __future__ import annotations

import os

from ulid import ULID

PREFIXES = {
    "org": "organization",
    "client": "api_client",
    "evt": "event",
    "unit": "unit",
    "person": "person",
    "mbr": "membership",
    "wh": "webhook_endpoint",
    "whd": "webhook_delivery",
    "wha": "webhook_attempt",
    "msg": "message",
    "obj": "objective",
    "kr": "key_result",
    "chk": "check_in",
    "job": "job",
    "ho": "handoff",
    "hop": "handoff_policy",
    "hoc": "handoff_comment",
    "hof": "handoff_offer",
    "role": "role",
    "rola": "role_assignment",
    "raci": "raci_entry",
    "fb": "feedback",
    "fbr": "feedback_request",
    "srv": "survey",
    "calfeed": "calendar_feed",
    "srr": "survey_response",
}


def new_id(prefix: str) -> str:
    if prefix not in PREFIXES:
        raise ValueError(f"unknown id prefix {prefix!r}")
    return f"{prefix}_{ULID()}"


def timeless_id(prefix: str) -> str:
    """An id whose every part is random: it carries no time (an anonymous item's, so that its id does not
    date it)."""
    if prefix not in PREFIXES:
        raise ValueError(f"unknown id prefix {prefix!r}")
    return f"{prefix}_{ULID.from_bytes(os.urandom(16))}"


def type_of(object_id: str) -> str | None:
    """The object type an id names, or None when the id has no known prefix."""
    prefix, sep, rest = object_id.partition("_")
    if not sep or not rest:
        return None
    return PREFIXES.get(prefix)
