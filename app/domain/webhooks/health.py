"""An endpoint's health, judged after each attempt: failing since when, and when it is switched off (a
410 Gone at once; otherwise after failing for `disable_after` seconds without a success)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from app.domain.webhooks.model import WebhookEndpoint, disabled


@dataclass(frozen=True)
class Verdict:
    endpoint: WebhookEndpoint | None = None  # the endpoint as it must be saved; None: it does not change
    disabled_changes: dict[str, Any] | None = None  # when it was switched off: what changed, for the event


def after_attempt(
    endpoint: WebhookEndpoint, *, ok: bool, gone: bool, now: datetime, disable_after_seconds: float
) -> Verdict:
    if ok:
        return Verdict(replace(endpoint, failing_since=None)) if endpoint.failing_since is not None else Verdict()
    if gone:
        reason = "the endpoint answered 410 Gone"
    elif endpoint.failing_since is None:
        return Verdict(replace(endpoint, failing_since=now))
    elif (now - endpoint.failing_since).total_seconds() >= disable_after_seconds:
        reason = f"failing since {endpoint.failing_since.isoformat()}"
    else:
        return Verdict()
    if not endpoint.enabled:
        return Verdict()
    off, changed = disabled(endpoint, reason, now)
    return Verdict(off, changed)
