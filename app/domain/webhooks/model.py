"""Webhook endpoints, what they subscribe to, how deliveries are signed and when they are retried.

The wire format is the Standard Webhooks specification: headers `webhook-id`, `webhook-timestamp`,
`webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`, space-separated when two
secrets sign during a rotation) and a `whsec_` + base64 secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

from app.domain.errors import ErrorList
from app.domain.events import is_known_pattern, pattern_matches
from app.domain.model import Entity, ExternallyReferenced
from app.domain.states import StateMachine, move
from app.domain.text import one_line, text_problem
from app.domain.webhooks.messages import FORMATS, LOCALES

SECRET_PREFIX = "whsec_"
ROTATION_OVERLAP = timedelta(hours=24)
RETRY_AFTER_CAP = timedelta(hours=12)


@dataclass(kw_only=True)
class WebhookEndpoint(ExternallyReferenced):
    url: str
    event_types: list[str]
    description: str | None = None
    enabled: bool = True
    secret: str
    previous_secret: str | None = None
    previous_secret_expires_at: datetime | None = None
    failing_since: datetime | None = None
    disabled_reason: str | None = None
    format: str = "standard"  # standard (Standard Webhooks) | slack | teams | wecom (app/domain/webhooks/messages.py)
    locale: str = "en"  # the language of the chat formats' messages
    # Whether `url` is a credential (it was given for a chat format): masked in every answer but its
    # creation's, whatever the format becomes, until a new URL is given for the standard format.
    url_is_secret: bool = False

    private_fields: ClassVar[frozenset[str]] = frozenset(
        {"organization_id", "secret", "previous_secret", "previous_secret_expires_at", "failing_since", "url_is_secret"}
    )

    def resource(self) -> dict[str, Any]:
        """A chat format's URL is itself a credential (whoever has it may post to the channel): answers and
        events show it masked; only the answer to its creation shows it whole."""
        out = super().resource()
        if self.url_is_secret or self.format != "standard":
            out["url"] = mask_url(self.url)
        return out

    def subscribes_to(self, event_type: str) -> bool:
        return self.enabled and pattern_matches(self.event_types, event_type)

    def signing_secrets(self, now: datetime) -> list[str]:
        """The current secret, and during 24 h after a rotation the previous one too."""
        out = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and now < self.previous_secret_expires_at:
            out.append(self.previous_secret)
        return out


def mask_url(url: str) -> str:
    """`https://hooks.slack.com/…kX9q`: where it goes, and enough of its end to tell two apart."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/…{url[-4:]}"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def sign(secrets_: list[str], message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    parts = []
    for secret in secrets_:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
        digest = hmac.new(key, signed, hashlib.sha256).digest()
        parts.append("v1," + base64.b64encode(digest).decode())
    return " ".join(parts)


def check_endpoint(fields: dict[str, Any], errors: ErrorList, *, creating: bool) -> None:
    if creating or "url" in fields:
        url = fields.get("url")
        try:
            parts = urlsplit(url) if isinstance(url, str) else None
            _ = parts.port if parts is not None else None  # a port out of range or not a number raises here
        except ValueError:
            parts = None
        if (
            parts is None
            or parts.scheme not in ("http", "https")
            or not parts.hostname
            or len(url or "") > 2048
            or not one_line(url or "")
            or any(c.isspace() for c in url or "")
        ):
            errors.add("/url", "must be an absolute http or https URL")
        elif parts.username or parts.password:
            errors.add("/url", "must not carry credentials; use the signature to authenticate deliveries")
    if creating or "event_types" in fields:
        types = fields.get("event_types")
        if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
            errors.add("/event_types", "must be a non-empty list of event types")
        else:
            for i, t in enumerate(types):
                if not is_known_pattern(t):
                    errors.add(f"/event_types/{i}", f"unknown event type {t!r} (exact names, `prefix.*` or `*`)")
    if fields.get("description") is not None:
        problem = text_problem(fields["description"], 500)
        if problem:
            errors.add("/description", problem)
    if "enabled" in fields and not isinstance(fields["enabled"], bool):
        errors.add("/enabled", "must be true or false")
    for name, choices in (("format", FORMATS), ("locale", LOCALES)):
        if (creating or name in fields) and fields.get(name, choices[0]) not in choices:
            errors.add(f"/{name}", f"must be one of: {', '.join(choices)}")


def next_attempt(
    now: datetime, attempts_made: int, schedule: list[int], retry_after: float | None, rnd: random.Random | None = None
) -> datetime | None:
    """When to try again after `attempts_made` attempts (None: the schedule is spent). ±20 % jitter;
    a receiver's Retry-After is honoured when it asks for longer, up to 12 hours."""
    if attempts_made > len(schedule):
        return None
    base = schedule[attempts_made - 1]
    delay = base * (rnd or random).uniform(0.8, 1.2)
    if retry_after is not None and retry_after > delay:
        delay = min(retry_after, RETRY_AFTER_CAP.total_seconds())
    return now + timedelta(seconds=delay)


def parse_schedule(text: str) -> list[int]:
    return [int(p) for p in text.split(",") if p.strip()]


BLOCKED_V4 = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "255.255.255.255/32",
    )
]
BLOCKED_V6 = [
    ipaddress.ip_network(n)
    for n in (
        "::/128",
        "::1/128",
        "64:ff9b::/96",
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
]


NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries, by what it means, however it is written:
    IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d, deprecated, which also covers :: and ::1),
    IPv4-translated (::ffff:0:a.b.c.d), 6to4 (2002::/16), Teredo (2001::/32, server and client) and
    NAT64's well-known prefix (64:ff9b::/96)."""
    n = int(ip)
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if n >> 32 == 0 or n >> 32 == 0xFFFF0000 or ip in NAT64_WELL_KNOWN:
        found.append(ipaddress.IPv4Address(n & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    return found


def address_allowed(address: str) -> bool:
    """Whether a webhook may be sent to this address, decided by what the address means, not by how it
    is spelled: only globally routable unicast addresses; an IPv6 address that carries an IPv4 address
    is judged by every IPv4 address it carries (and refused when one of them is refused). Loopback,
    private, link-local (cloud metadata), CGNAT, multicast, reserved and documentation ranges are not."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        carried = embedded_ipv4(ip)
        if carried:
            return all(_allowed(v4, BLOCKED_V4) for v4 in carried) and not _blocked_only_as_v6(ip)
        return _allowed(ip, BLOCKED_V6)
    return _allowed(ip, BLOCKED_V4)


def _allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, blocked: list[Any]) -> bool:
    return ip.is_global and not ip.is_multicast and not any(ip in n for n in blocked)


def _blocked_only_as_v6(ip: ipaddress.IPv6Address) -> bool:
    """Ranges refused whatever they carry (NAT64 for local use, Teredo's and 6to4's are judged by
    their IPv4 addresses above)."""
    return ip in ipaddress.ip_network("64:ff9b:1::/48")


# A delivery's states, as data: the worker's attempts and the API's retries take these moves only.
DELIVERY_STATES = StateMachine(
    "delivery",
    ("pending", "succeeded", "failed"),
    [
        move("succeed", {"pending"}, "succeeded"),  # a 2xx
        move("reschedule", {"pending"}, "pending"),  # an attempt failed; another is scheduled
        move("give_up", {"pending"}, "failed"),  # the schedule is spent, or the endpoint answered 410
        move("retry", {"pending", "failed", "succeeded"}, "pending"),  # POST /v1/webhook-deliveries/{id}/retry
        move("recover", {"pending", "failed"}, "pending"),  # POST …/recover: what failed in a window
    ],
)


def attempt_action(*, ok: bool, retry_scheduled: bool) -> str:
    """The move an attempt's result makes."""
    if ok:
        return "succeed"
    return "reschedule" if retry_scheduled else "give_up"


@dataclass(kw_only=True)
class Delivery(Entity):
    """One message to one endpoint: an event (its id is the `webhook-id`) or a ping. The API shows it without
    its payload (the event's, read from the event) or its version (the worker's bookkeeping)."""

    private_fields: ClassVar[frozenset[str]] = frozenset({"organization_id", "payload", "version"})

    endpoint_id: str
    message_id: str
    event_type: str
    payload: dict[str, Any]
    status: str = "pending"  # pending | succeeded | failed
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    succeeded_at: datetime | None = None


@dataclass(frozen=True)
class Attempt:
    id: str
    delivery_id: str
    attempted_at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None

    def resource(self) -> dict[str, Any]:
        from app.domain.clock import rfc3339

        return {
            "id": self.id,
            "attempted_at": rfc3339(self.attempted_at),
            "status_code": self.status_code,
            "latency_ms": self.latency_ms,
            "error": self.error,
        }


def message_payload(message_id: str, event_type: str, timestamp: str, data: dict[str, Any]) -> dict[str, Any]:
    """The body of every delivery: `{"id", "type", "timestamp", "data"}`."""
    return {"id": message_id, "type": event_type, "timestamp": timestamp, "data": data}


def disabled(endpoint: WebhookEndpoint, reason: str, now: datetime) -> tuple[WebhookEndpoint, dict[str, Any]]:
    """The endpoint switched off, and the previous values of what changed (for the event)."""
    from dataclasses import replace

    from app.domain.patch import previous_attributes

    before = endpoint.resource()
    off = replace(endpoint, enabled=False, disabled_reason=reason)
    off.touch(now)
    return off, previous_attributes(before, off.resource())
