"""REST schemas of handoffs, their policies, actions and comments. They document the wire; the rules and
their error codes are the domain's declaration (app/domain/handoffs/model.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias

from pydantic import Field

from app.api.schemas.common import RequestBody
from app.api.schemas.derive import choice, create_body, patch_body, resource_body
from app.domain.handoffs.model import (
    ACTION_FIELDS,
    COMMENT_FIELDS,
    COMMENT_READ_ONLY,
    HANDOFF_DEFAULTS,
    HANDOFF_FIELDS,
    HANDOFF_READ_ONLY,
    POLICY_FIELDS,
    PRIORITIES,
    STATUSES,
    HandoffComment,
    HandoffPolicy,
)
from app.domain.handoffs.model import Handoff as HandoffModel

if TYPE_CHECKING:
    Status: TypeAlias = str
    Priority: TypeAlias = str
else:  # enumerations of the declared values
    Status, Priority = choice(STATUSES), choice(PRIORITIES)

HandoffCreate = create_body("HandoffCreate", HANDOFF_FIELDS, HANDOFF_DEFAULTS, doc="A new handoff (a draft).")
HandoffPatch = patch_body(
    "HandoffPatch", HANDOFF_FIELDS, doc="A JSON merge patch of a handoff (once sent: its checklist, links, refs)."
)
Handoff = resource_body(
    "Handoff",
    HandoffModel,
    HANDOFF_FIELDS,
    read_only=HANDOFF_READ_ONLY,
    doc="Work one unit hands to another, with its two clocks.",
)
Decline = create_body("Decline", ACTION_FIELDS["decline"], {}, doc="Why the receiving unit declines it.")
Wait = create_body("Wait", ACTION_FIELDS["wait"], {}, doc="What the work waits for (the complete clock pauses).")
Forward = create_body("Forward", ACTION_FIELDS["forward"], {}, doc="Where the handoff goes instead.")
Cancel = create_body("Cancel", ACTION_FIELDS["cancel"], {}, doc="Why the sender cancels it.")


class NoBody(RequestBody):
    """This action takes no field."""


class TimelineEntry(RequestBody):
    at: datetime
    action: str
    from_: str | None = Field(alias="from")
    to: str
    actor: dict[str, Any]
    clocks: dict[str, float | None] = Field(description="Seconds each clock had run then (pauses left out).")


PolicyCreate = create_body("PolicyCreate", POLICY_FIELDS, {"external_refs": {}}, doc="A new handoff policy.")
PolicyPatch = patch_body("PolicyPatch", POLICY_FIELDS, doc="A JSON merge patch of a handoff policy.")
Policy = resource_body(
    "Policy", HandoffPolicy, POLICY_FIELDS, doc="The times a receiving unit has to accept and to complete."
)
CommentCreate = create_body("CommentCreate", COMMENT_FIELDS, {}, doc="A comment on a handoff.")
Comment = resource_body(
    "Comment", HandoffComment, COMMENT_FIELDS, read_only=COMMENT_READ_ONLY, doc="A comment on a handoff."
)


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
