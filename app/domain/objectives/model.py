"""Objectives, key results and check-ins: their fields (declared once, as data), the status rule table,
and the rules on values that need more than one field."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.domain.errors import ErrorList
from app.domain.fields import Field, check_fields, only, writable
from app.domain.model import ExternallyReferenced, Linked
from app.domain.states import StateMachine, move

OBJECTIVE_STATUSES = ("draft", "active", "achieved", "missed", "cancelled")
PROGRESS_RULES = ("key_results", "children", "both")
HEALTHS = ("on_track", "at_risk", "off_track")
CADENCES = ("none", "weekly", "biweekly", "monthly")
MAX_WEIGHT = 1000.0

# The status moves, as data: PATCH {"status": …} takes the transition that leads there, or answers 409.
OBJECTIVE_STATUS = StateMachine(
    "objective",
    OBJECTIVE_STATUSES,
    [
        move("activate", ["draft"], "active", event="objective.activated"),
        move("achieve", ["active"], "achieved", event="objective.achieved"),
        move("miss", ["active"], "missed", event="objective.missed"),
        move("cancel", ["draft", "active"], "cancelled", event="objective.cancelled"),
    ],
)
OPEN_STATUSES = ("draft", "active")  # check-ins are recorded while the objective is open


@dataclass(kw_only=True)
class Objective(Linked):
    title: str
    description: str | None = None
    period_start: date
    period_end: date
    owner_unit_id: str
    owner_person_id: str | None = None
    parent_id: str | None = None
    alignment_weight: float = 1.0
    contributor_unit_ids: list[str] = field(default_factory=list)
    progress_rule: str = "both"
    status: str = "draft"
    progress: float = 0.0
    health: str = "on_track"


@dataclass(kw_only=True)
class KeyResult(Linked):
    objective_id: str
    title: str
    unit: str | None = None
    start_value: float = 0.0
    target_value: float
    current_value: float = 0.0
    weight: float = 1.0
    owner_person_id: str | None = None
    check_in_cadence: str = "none"
    progress: float = 0.0
    confidence: float | None = None  # of the latest check-in
    last_check_in_at: datetime | None = None

    @property
    def decreasing(self) -> bool:
        return self.target_value < self.start_value


@dataclass(kw_only=True)
class CheckIn(ExternallyReferenced):
    key_result_id: str
    objective_id: str
    value: float
    confidence: float | None = None
    note: str | None = None
    author_person_id: str | None = None  # the person the token acted as, if any
    author: dict[str, Any] = field(default_factory=dict)  # the token or API client that recorded it


WEIGHT = "Its share among its siblings' weights (default 1)."
STATUS = "draft → active | cancelled; active → achieved | missed | cancelled. Any other move is a 409."
OBJECTIVE_FIELDS = (
    Field("title", "name", required=True, nullable=False, example="Grow recurring revenue 20%"),
    Field("description", "text", limit=10_000),
    Field("period_start", "date", required=True, nullable=False, example="2026-07-01"),
    Field("period_end", "date", required=True, nullable=False, not_before="period_start", example="2026-09-30"),
    Field("owner_unit_id", "ref", required=True, prefix="unit", nullable=False, description="The unit that owns it."),
    Field("owner_person_id", "ref", prefix="person", description="The person accountable for it."),
    Field(
        "parent_id",
        "ref",
        prefix="obj",
        description="The higher objective it aligns to; its period must overlap this one's, and a cycle is a 409.",
    ),
    Field(
        "alignment_weight",
        "number",
        low=0,
        high=MAX_WEIGHT,
        nullable=False,
        description="Its weight in its parent's progress. " + WEIGHT,
    ),
    Field(
        "contributor_unit_ids",
        "refs",
        prefix="unit",
        nullable=False,
        description="Other units that contribute to it (at most 50).",
    ),
    Field(
        "progress_rule",
        "choice",
        choices=PROGRESS_RULES,
        nullable=False,
        description="Where its progress comes from: its key results, its aligned children, or both (default).",
    ),
    Field(
        "status",
        "choice",
        choices=OBJECTIVE_STATUSES,
        first=OPEN_STATUSES,
        nullable=False,
        kept=True,
        description="A new objective is draft (the default) or active; a PUT that leaves it out keeps it. " + STATUS,
    ),
    Field("links", "links", nullable=False),
    Field("external_refs", "external_refs", nullable=False),
)
KEY_RESULT_FIELDS = (
    Field(
        "objective_id",
        "ref",
        required=True,
        prefix="obj",
        nullable=False,
        description="The objective it measures (fixed once created).",
    ),
    Field("title", "name", required=True, nullable=False, example="New ARR signed"),
    Field("unit", "name", limit=32, example="EUR", description="What its values count."),
    Field("start_value", "number", nullable=False, example=0, description="Where the metric starts (default 0)."),
    Field(
        "target_value",
        "number",
        required=True,
        nullable=False,
        example=100000,
        description="Differs from start_value; below it, the metric is decreasing.",
    ),
    Field(
        "weight", "number", low=0, high=MAX_WEIGHT, nullable=False, description="Its weight in its objective. " + WEIGHT
    ),
    Field("owner_person_id", "ref", prefix="person", description="The person who reports on it."),
    Field(
        "check_in_cadence",
        "choice",
        choices=CADENCES,
        nullable=False,
        description="A period with no check-in ends with `key_result.check_in_due` (none: never).",
    ),
    Field("links", "links", nullable=False),
    Field("external_refs", "external_refs", nullable=False),
)
CHECK_IN_FIELDS = (
    Field("key_result_id", "ref", required=True, prefix="kr", nullable=False),
    Field("value", "number", required=True, nullable=False, example=42000, description="The key result's value now."),
    Field("confidence", "number", low=0, high=1, example=0.8, description="How sure the target is met."),
    Field("note", "text", limit=10_000, example="Two deals signed this week."),
    Field("external_refs", "external_refs", nullable=False),
)
# What the API sets and shows, declared for the documentation of both transports (progress and health:
# app/domain/objectives/progress.py).
KEY_RESULT_READ_ONLY = (
    Field("current_value", "number", description="The latest check-in's value (the start before any)."),
    Field("progress", "number", description="(current − start) / (target − start), clamped to 0..1."),
    Field("confidence", "number", description="The latest check-in's confidence, 0..1."),
    Field("last_check_in_at", "instant", description="When the latest check-in was recorded."),
)
CHECK_IN_READ_ONLY = (
    Field("objective_id", "ref", prefix="obj", description="The key result's objective."),
    Field("author_person_id", "ref", prefix="person", description="The person the token acted as, if any."),
    Field("author", "json", description="The token or API client that recorded it."),
)
OBJECTIVE_WRITABLE = writable(OBJECTIVE_FIELDS)
KEY_RESULT_WRITABLE = tuple(n for n in writable(KEY_RESULT_FIELDS) if n != "objective_id")  # fixed at creation
KEY_RESULT_CHANGEABLE = only(KEY_RESULT_FIELDS, KEY_RESULT_WRITABLE)
OBJECTIVE_DEFAULTS: dict[str, Any] = {
    "alignment_weight": 1.0,
    "contributor_unit_ids": [],
    "progress_rule": "both",
    "status": "draft",
    "links": [],
    "external_refs": {},
}
KEY_RESULT_DEFAULTS: dict[str, Any] = {
    "start_value": 0.0,
    "weight": 1.0,
    "check_in_cadence": "none",
    "links": [],
    "external_refs": {},
}


def check_objective(fields: dict[str, Any], *, creating: bool) -> None:
    errors = ErrorList()
    check_fields(fields, OBJECTIVE_FIELDS, errors, creating=creating)
    errors.raise_if_any()


def check_key_result(fields: dict[str, Any], *, creating: bool) -> None:
    errors = ErrorList()
    check_fields(fields, KEY_RESULT_FIELDS, errors, creating=creating)
    start, target = fields.get("start_value"), fields.get("target_value")
    if _number(start) and _number(target) and start == target:
        errors.add("/target_value", "must differ from start_value (a target below the start is a decreasing metric)")
    errors.raise_if_any()


def check_check_in(fields: dict[str, Any]) -> None:
    errors = ErrorList()
    check_fields(fields, CHECK_IN_FIELDS, errors, creating=True)
    errors.raise_if_any()


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def periods_overlap(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    return a_start <= b_end and b_start <= a_end
