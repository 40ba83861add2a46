"""Calendar feeds: a secret URL that calendar apps (which cannot send bearer tokens) poll for the dates of a
unit's or a person's work, as RFC 5545 iCalendar. The URL carries the feed's id and a signature of it; a
deleted feed answers 404 whatever the signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date, datetime

from app.domain.model import ExternallyReferenced

OWNER_TYPES = ("unit", "person")
# What a feed may hold, and the scope its creator needed for each: the feed shows what they could read.
AREAS = {"handoffs": "handoffs:read", "objectives": "objectives:read", "surveys": "feedback:read"}
TOKEN_PREFIX = "lcf_"


@dataclass(kw_only=True)
class CalendarFeed(ExternallyReferenced):
    owner_type: str
    owner_id: str
    areas: list[str] = field(default_factory=list)


def feed_token(feed_id: str, key: str) -> str:
    """`lcf_<id>.<signature>`: the id, signed with the service's key (LIAISON_JWT_SECRET)."""
    return f"{TOKEN_PREFIX}{feed_id}.{_signature(feed_id, key)}"


def feed_id_of(token: str, key: str) -> str | None:
    """The feed id a token names, when its signature holds; None for anything else."""
    if not token.startswith(TOKEN_PREFIX) or "." not in token:
        return None
    feed_id, _, signature = token.removeprefix(TOKEN_PREFIX).partition(".")
    return feed_id if hmac.compare_digest(signature, _signature(feed_id, key)) else None


def _signature(feed_id: str, key: str) -> str:
    digest = hmac.new(key.encode(), b"calendar-feed:" + feed_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass(frozen=True)
class Entry:
    """One calendar event: `uid` stays the same across reads, so that calendar apps update it."""

    uid: str
    summary: str
    start: datetime | date
    end: datetime | date | None = None
    description: str | None = None
