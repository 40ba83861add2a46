"""REST schemas of handoffs, their policies, actions and comments. They document the wire; the rules and
their error codes are the domain's declaration (app/domain/handoffs/model.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from app.api.instants import Instant
from app.api.schemas.common import ExternalRefs, RequestBody, Resource
from app.api.schemas.org_chart import Link

Status = Literal["draft", "sent", "accepted", "waiting", "completed", "declined", "cancelled"]
Priority = Literal["low", "normal", "high", "urgent"]
DeclineReason = Literal["not_ours", "incomplete", "no_capacity", "duplicate", "other"]
DURATION = "ISO 8601 duration of a fixed length (weeks, days, hours, minutes, seconds): `PT4H`, `P2D`."
SLA = (
    "The two clocks and who held the handoff: `accept` (from the first send until accepted or declined, across"
    " forwards, against `accept_by`) and `complete` (from the first send until completed, paused while waiting,"
    " each pause with its reason, against `due_at`, which moves by the pause): each with `started_at`,"
    " `deadline`, `stopped_at`, `warned_at` (80 %: `handoff.sla_warning`), `overdue_at` (100 %:"
    " `handoff.overdue`); `segments`: `[{unit_id, from, to, seconds}]`, the time each unit held it."
)


class ChecklistItem(RequestBody):
    item: str = Field(examples=["Signed contract attached"], description="At most 500 characters.")
    done: bool = False
    required: bool = Field(default=False, description="`complete` needs every required item done.")


class HandoffCreate(RequestBody):
    title: str = Field(examples=["Acme renewal: kick-off"], description="At most 200 characters.")
    summary: str | None = Field(default=None, description="Free text, at most 10,000 characters.")
    from_unit_id: str = Field(description="The sending unit.")
    from_person_id: str | None = None
    to_unit_id: str = Field(description="The addressed unit.")
    to_person_id: str | None = Field(default=None, description="The addressed person, if one.")
    accept_by: Instant | None = Field(default=None, description="Else set on send by the fitting policy.")
    due_at: Instant | None = Field(default=None, description="Else set on send by the fitting policy.")
    priority: Priority | None = Field(default=None, description="Default normal.")
    payload: dict[str, Any] | None = Field(default=None, description="Free JSON, at most 64 KiB.")
    checklist: list[ChecklistItem] | None = None
    objective_id: str | None = Field(default=None, description="The objective this work serves.")
    external_refs: ExternalRefs = Field(default_factory=dict)
    links: list[Link] = Field(default_factory=list)


class HandoffPatch(RequestBody):
    title: str | None = None
    summary: str | None = None
    from_unit_id: str | None = None
    from_person_id: str | None = None
    to_unit_id: str | None = None
    to_person_id: str | None = None
    accept_by: Instant | None = None
    due_at: Instant | None = None
    priority: Priority | None = None
    payload: dict[str, Any] | None = Field(default=None, description="Merged into the payload (JSON merge patch).")
    checklist: list[ChecklistItem] | None = Field(default=None, description="Replaces the list (tick items here).")
    objective_id: str | None = None
    external_refs: dict[str, str | None] | None = None
    links: list[Link] | None = None


class Handoff(Resource):
    title: str
    summary: str | None
    from_unit_id: str
    from_person_id: str | None
    to_unit_id: str
    to_person_id: str | None
    accept_by: datetime | None
    due_at: datetime | None
    priority: Priority
    payload: dict[str, Any]
    checklist: list[ChecklistItem]
    objective_id: str | None
    status: Status
    overdue: bool = Field(description="A clock ran past its deadline.")
    sla: dict[str, Any] = Field(description=SLA)
    history: list[dict[str, Any]] = Field(description="Every transition: at, action, from, to, actor, and why.")
    external_refs: ExternalRefs
    links: list[Link]


class Decline(RequestBody):
    reason_code: DeclineReason
    reason: str | None = Field(default=None, examples=["Belongs to Support, not Delivery."])


class Wait(RequestBody):
    reason: str = Field(examples=["Waiting for the signed order form."])


class Forward(RequestBody):
    to_unit_id: str = Field(description="Another unit: the handoff is `sent` to it.")
    to_person_id: str | None = None
    note: str | None = Field(default=None, examples=["EMEA handles this account."])


class Cancel(RequestBody):
    reason: str | None = None


class NoBody(RequestBody):
    """This action takes no field."""


class TimelineEntry(RequestBody):
    at: datetime
    action: str
    from_: str | None = Field(alias="from")
    to: str
    actor: dict[str, Any]
    clocks: dict[str, float | None] = Field(description="Seconds each clock had run then (pauses left out).")


class PolicyCreate(RequestBody):
    from_unit_id: str | None = Field(default=None, description="Null: any sending unit.")
    to_unit_id: str | None = Field(default=None, description="Null: any receiving unit.")
    accept_within: str | None = Field(default=None, examples=["PT4H"], description=DURATION)
    complete_within: str | None = Field(default=None, examples=["P2D"], description=DURATION)
    external_refs: ExternalRefs = Field(default_factory=dict)


class PolicyPatch(RequestBody):
    from_unit_id: str | None = None
    to_unit_id: str | None = None
    accept_within: str | None = None
    complete_within: str | None = None
    external_refs: dict[str, str | None] | None = None


class Policy(Resource):
    from_unit_id: str | None
    to_unit_id: str | None
    accept_within: str | None
    complete_within: str | None
    external_refs: ExternalRefs


class CommentCreate(RequestBody):
    body: str = Field(examples=["The order form is attached."])


class Comment(Resource):
    handoff_id: str
    body: str
    author_person_id: str | None
    author: dict[str, Any]
    external_refs: ExternalRefs


class PairAnalytics(RequestBody):
    from_unit_id: str
    to_unit_id: str
    offered: int
    outcomes: dict[str, int] = Field(description="accepted, declined, forwarded, cancelled, pending.")
    acceptance_rate: float | None = Field(description="Accepted among accepted, declined and forwarded.")
    median_seconds_to_accept: float | None
    p90_seconds_to_accept: float | None
    overdue_rate: float = Field(description="Offers during which a clock ran past its deadline.")
    decline_reasons: dict[str, int]
