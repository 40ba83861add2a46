"""An endpoint's health after each attempt: a failure starts the clock, a success stops it, a 410 Gone
switches the endpoint off at once, and failing for `disable_after` seconds switches it off too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.domain.webhooks.health import after_attempt
from app.domain.webhooks.model import WebhookEndpoint

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = 86_400.0


def endpoint(**fields: object) -> WebhookEndpoint:
    values: dict[str, object] = {
        "id": "whe_1",
        "organization_id": "org_1",
        "created_at": T0,
        "updated_at": T0,
        "url": "https://hooks.example.com/x",
        "event_types": ["*"],
        "secret": "whsec_x",
        **fields,
    }
    return WebhookEndpoint(**values)  # type: ignore[arg-type]


def test_a_first_failure_starts_the_clock_and_a_success_stops_it() -> None:
    failing = after_attempt(endpoint(), ok=False, gone=False, now=T0, disable_after_seconds=DAY).endpoint
    assert failing is not None and failing.failing_since == T0 and failing.enabled
    healed = after_attempt(failing, ok=True, gone=False, now=T0 + timedelta(hours=1), disable_after_seconds=DAY)
    assert healed.endpoint is not None and healed.endpoint.failing_since is None and healed.disabled_changes is None
    # A success on a healthy endpoint changes nothing (nothing to write).
    assert after_attempt(endpoint(), ok=True, gone=False, now=T0, disable_after_seconds=DAY).endpoint is None


def test_failing_for_the_whole_window_switches_the_endpoint_off() -> None:
    failing = endpoint(failing_since=T0)
    early = after_attempt(failing, ok=False, gone=False, now=T0 + timedelta(hours=23), disable_after_seconds=DAY)
    assert early.endpoint is None  # still within the window: nothing changes
    late = after_attempt(failing, ok=False, gone=False, now=T0 + timedelta(days=1), disable_after_seconds=DAY)
    assert late.endpoint is not None and not late.endpoint.enabled
    assert late.endpoint.disabled_reason == f"failing since {T0.isoformat()}"
    assert late.disabled_changes == {"enabled": True, "disabled_reason": None}  # what the event says changed


def test_gone_switches_it_off_at_once_and_an_off_endpoint_stays_as_it_is() -> None:
    gone = after_attempt(endpoint(), ok=False, gone=True, now=T0, disable_after_seconds=DAY)
    assert gone.endpoint is not None and not gone.endpoint.enabled
    assert gone.endpoint.disabled_reason == "the endpoint answered 410 Gone" and gone.disabled_changes
    off = endpoint(enabled=False, disabled_reason="x")
    assert after_attempt(off, ok=False, gone=True, now=T0, disable_after_seconds=DAY).endpoint is None
