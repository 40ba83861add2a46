"""Handoffs between departments: their fields (declared once), the one table of moves every action goes
through, which side of the handoff may take each action, and the policies that time them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.domain.errors import ErrorList
from app.domain.fields import Field, check_fields, writable
from app.domain.model import ExternallyReferenced, Linked
from app.domain.states import StateMachine, move

STATUSES = ("draft", "sent", "accepted", "waiting", "completed", "declined", "cancelled")
PRIORITIES = ("low", "normal", "high", "urgent")
DECLINE_REASONS = ("not_ours", "incomplete", "no_capacity", "duplicate", "other")
CLOCKS = ("accept", "complete")
MAX_PAYLOAD = 64 * 1024


def _required_items_done(handoff: Handoff) -> str | None:
    missing = [c["item"] for c in handoff.checklist if c.get("required") and not c.get("done")]
    return f"required checklist items are not done: {', '.join(missing)}" if missing else None


# Every action, from where, to where: the API's 409 for any other move comes from this table.
HANDOFF_FLOW = StateMachine(
    "handoff",
    STATUSES,
    [
        move("send", ["draft"], "sent", event="handoff.sent"),
        move("accept", ["sent"], "accepted", event="handoff.accepted"),
        move("decline", ["sent"], "declined", event="handoff.declined"),
        move("wait", ["accepted"], "waiting", event="handoff.waiting"),
        move("resume", ["waiting"], "accepted", event="handoff.resumed"),
        move("forward", ["sent", "accepted"], "sent", event="handoff.forwarded"),
        move("complete", ["accepted"], "completed", guard=_required_items_done, event="handoff.completed"),
        move("cancel", ["draft", "sent", "accepted", "waiting"], "cancelled", event="handoff.cancelled"),
    ],
)
ACTIONS = tuple(dict.fromkeys(t.action for t in HANDOFF_FLOW.transitions))
# Who acts: the receiving side (the addressed person, or a member of the addressed unit when it acts) or
# the sending side (the sending person, or a member of the sending unit). Integration tokens (no person)
# with handoffs:write act for either.
RECEIVING = frozenset({"accept", "decline", "wait", "forward", "complete"})
SENDING = frozenset({"send", "resume", "cancel", "edit"})
FINAL = frozenset({"completed", "declined", "cancelled"})


@dataclass(kw_only=True)
class Handoff(Linked):
    title: str
    summary: str | None = None
    from_unit_id: str
    from_person_id: str | None = None
    to_unit_id: str
    to_person_id: str | None = None
    accept_by: datetime | None = None
    due_at: datetime | None = None
    priority: str = "normal"
    payload: dict[str, Any] = field(default_factory=dict)
    checklist: list[dict[str, Any]] = field(default_factory=list)
    objective_id: str | None = None
    status: str = "draft"
    overdue: bool = False  # a clock ran past its deadline (set by the scheduler, with `handoff.overdue`)
    sla: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)


@dataclass(kw_only=True)
class HandoffPolicy(ExternallyReferenced):
    from_unit_id: str | None = None  # None: any sending unit
    to_unit_id: str | None = None  # None: any receiving unit
    accept_within: str | None = None  # ISO 8601 duration
    complete_within: str | None = None

    @property
    def rank(self) -> int:
        """Which policy wins: one naming both units, then the receiving unit, then the sending one, then any."""
        return (2 if self.to_unit_id else 0) + (1 if self.from_unit_id else 0)


@dataclass(kw_only=True)
class HandoffComment(ExternallyReferenced):
    handoff_id: str
    body: str
    author_person_id: str | None = None
    author: dict[str, Any] = field(default_factory=dict)


SET_ON_SEND = "Else set on send by the fitting policy."
HANDOFF_FIELDS = (
    Field("title", "name", required=True, nullable=False, example="Acme renewal: kick-off"),
    Field("summary", "text", limit=10_000),
    Field("from_unit_id", "ref", required=True, prefix="unit", nullable=False, description="The sending unit."),
    Field("from_person_id", "ref", prefix="person", description="The sending person, if one."),
    Field("to_unit_id", "ref", required=True, prefix="unit", nullable=False, description="The addressed unit."),
    Field("to_person_id", "ref", prefix="person", description="The addressed person, if one."),
    Field("accept_by", "instant", description="When it must be accepted by. " + SET_ON_SEND),
    Field("due_at", "instant", description="When it must be completed by. " + SET_ON_SEND),
    Field(
        "priority",
        "choice",
        choices=PRIORITIES,
        nullable=False,
        kept=True,
        description="Normal unless given; a PUT that leaves it out keeps it.",
    ),
    Field(
        "payload",
        "json",
        limit=MAX_PAYLOAD,
        nullable=False,
        kept=True,
        example={"deal_id": "D-2291", "amount": 48000},
        description="Free JSON for the receiving systems, at most 64 KiB; a PATCH merges into it.",
    ),
    Field("checklist", "checklist", max_items=100, nullable=False, kept=True),
    Field("objective_id", "ref", prefix="obj", description="The objective this work serves."),
    Field("links", "links", nullable=False),
    Field("external_refs", "external_refs", nullable=False),
)
HANDOFF_WRITABLE = writable(HANDOFF_FIELDS)
# What the API sets and shows, declared for the documentation of both transports.
HANDOFF_READ_ONLY = (
    Field("status", "choice", choices=STATUSES, description="Where it stands; actions move it (POST …/{action})."),
    Field("overdue", "bool", description="A clock ran past its deadline."),
    Field(
        "sla",
        "json",
        description="The two clocks and who held the handoff: `accept` (from the first send until accepted or"
        " declined, across forwards, against `accept_by`) and `complete` (from the first send until completed,"
        " paused while waiting, each pause with its reason, against `due_at`, which moves by the pause): each"
        " with `started_at`, `deadline`, `stopped_at`, `warned_at` (80 %: `handoff.sla_warning`), `overdue_at`"
        " (100 %: `handoff.overdue`); `segments`: `[{unit_id, from, to, seconds}]`, the time each unit held it.",
    ),
    Field("history", "json", description="Every transition: at, action, from, to, actor, and why."),
)
COMMENT_READ_ONLY = (
    Field("handoff_id", "ref", prefix="ho", description="The handoff it is on."),
    Field("author_person_id", "ref", prefix="person", description="The person the token acted as, if any."),
    Field("author", "json", description="The token or API client that wrote it."),
)
# Once sent, a handoff's content is what was sent: only its checklist's `done` (ticked as the work goes),
# its links and external refs change, by either side; the rest moves by actions (forward names another
# addressee). Once final, only links and external refs.
AFTER_SENDING = ("checklist", "links", "external_refs")
HANDOFF_DEFAULTS: dict[str, Any] = {
    "priority": "normal",
    "payload": {},
    "checklist": [],
    "links": [],
    "external_refs": {},
}
POLICY_FIELDS = (
    Field("from_unit_id", "ref", prefix="unit", description="The sending unit; null: any."),
    Field("to_unit_id", "ref", prefix="unit", description="The receiving unit; null: any."),
    Field("accept_within", "duration", example="PT4H", description="How long the receiver has to accept."),
    Field("complete_within", "duration", example="P2D", description="How long the receiver has to complete."),
    Field("external_refs", "external_refs", nullable=False),
)
POLICY_WRITABLE = writable(POLICY_FIELDS)
COMMENT_FIELDS = (
    Field("body", "text", required=True, nullable=False, limit=10_000, example="The order form is attached."),
)
# What each action takes in its body.
ACTION_FIELDS: dict[str, tuple[Field, ...]] = {
    "decline": (
        Field("reason_code", "choice", required=True, choices=DECLINE_REASONS, nullable=False),
        Field("reason", "text", limit=2000, example="Belongs to Support, not Delivery."),
    ),
    "wait": (
        Field("reason", "text", required=True, limit=2000, nullable=False, example="Waiting for the signed order."),
    ),
    "forward": (
        Field(
            "to_unit_id",
            "ref",
            required=True,
            prefix="unit",
            nullable=False,
            description="Another unit: the handoff is `sent` to it.",
        ),
        Field("to_person_id", "ref", prefix="person", description="The addressed person there, if one."),
        Field("note", "text", limit=2000, example="EMEA handles this account."),
    ),
    "cancel": (Field("reason", "text", limit=2000),),
}


def check_handoff(fields: dict[str, Any], *, creating: bool) -> None:
    errors = ErrorList()
    check_fields(fields, HANDOFF_FIELDS, errors, creating=creating)
    checklist = fields.get("checklist")
    if isinstance(checklist, list) and all(isinstance(c, dict) for c in checklist):
        fields["checklist"] = [
            {"item": c.get("item"), "done": c.get("done", False), "required": c.get("required", False)}
            for c in checklist
        ]
    errors.raise_if_any()


def check_action(action: str, fields: dict[str, Any]) -> None:
    errors = ErrorList()
    unknown = sorted(set(fields) - {f.name for f in ACTION_FIELDS.get(action, ())})
    for name in unknown:
        errors.add(f"/{name}", f"`{action}` takes no such field", "unknown_field")
    check_fields(fields, ACTION_FIELDS.get(action, ()), errors, creating=True)
    errors.raise_if_any()
