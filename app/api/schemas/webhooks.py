from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from app.api.instants import Instant
from app.api.schemas.common import Input, RequestBody, Resource

WebhookFormat = Literal["standard", "slack", "teams", "wecom"]
WebhookLocale = Literal["en", "fr"]


class WebhookEndpointCreate(RequestBody):
    url: str = Field(min_length=1, max_length=2048, examples=["https://erp.example.com/hooks/liaison"])
    event_types: list[str] = Field(
        min_length=1,
        examples=[["unit.*", "person.created"]],
        description="Exact event types, `prefix.*`, or `*` for every type.",
    )
    description: str | None = Field(default=None, max_length=500)
    enabled: bool = True
    format: WebhookFormat = Field(
        default="standard",
        description="`standard`: Standard Webhooks (signed JSON). `slack`: a Slack incoming webhook's message;"
        " `teams`: an Adaptive Card for a Teams workflow webhook; `wecom`: a WeChat Work group robot's markdown."
        " A chat format's URL is a credential: shown whole in this answer only, masked after.",
    )
    locale: WebhookLocale = Field(default="en", description="The language of a chat format's messages.")


class WebhookEndpointPatch(RequestBody):
    url: str | None = Field(default=None, min_length=1, max_length=2048)
    event_types: list[str] | None = None
    description: str | None = Field(default=None, max_length=500)
    enabled: bool | None = None
    format: WebhookFormat | None = None
    locale: WebhookLocale | None = None


class WebhookEndpoint(Resource):
    url: str = Field(description="Masked (`https://hooks.slack.com/…kX9q`) for a chat format, except on creation.")
    event_types: list[str]
    description: str | None
    enabled: bool
    disabled_reason: str | None
    format: WebhookFormat
    locale: WebhookLocale
    external_refs: dict[str, str]


class WebhookEndpointWithSecret(WebhookEndpoint):
    secret: str | None = Field(
        default=None,
        description="`whsec_` + base64. Shown on creation and rotation only; absent from an `Idempotency-Key`"
        " replay of either (`Idempotent-Replayed: true`), which cannot show it again.",
    )


class Attempt(Input):
    id: str
    attempted_at: str
    status_code: int | None
    latency_ms: int
    error: str | None


class Delivery(Input):
    id: str
    endpoint_id: str
    message_id: str = Field(description="The `webhook-id` header: the event's id, the same on every retry.")
    event_type: str
    status: str = Field(description="pending, succeeded or failed")
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    succeeded_at: datetime | None
    created_at: datetime
    updated_at: datetime
    attempt_log: list[Attempt]


class Recover(RequestBody):
    since: Instant


class Recovered(Input):
    requeued: int


class WebhookPayload(Input):
    """The body of a delivery (Standard Webhooks)."""

    id: str = Field(description="The event's id; also the `webhook-id` header.")
    type: str
    timestamp: str
    data: dict[str, Any] = Field(description="`{object, previous_attributes}`, as in the event log.")
