"""REST schemas of objectives, key results and check-ins. They document the wire; the rules (and their
error codes, the same as GraphQL's) are the domain's declaration (app/domain/objectives/model.py), which
every input goes through."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from app.api.schemas.common import ExternalRefs, RequestBody, Resource
from app.api.schemas.org_chart import Link
from app.domain.objectives.progress import HEALTH_RULE

ObjectiveStatus = Literal["draft", "active", "achieved", "missed", "cancelled"]
ProgressRule = Literal["key_results", "children", "both"]
Health = Literal["on_track", "at_risk", "off_track"]
Cadence = Literal["none", "weekly", "biweekly", "monthly"]
Number = float
WEIGHT = "A weight from 0 to 1000 (default 1)."
RULE = "Where progress comes from: its key results, its aligned children, or both (default)."
STATUS = "draft → active | cancelled; active → achieved | missed | cancelled. Any other move is a 409."


class ObjectiveCreate(RequestBody):
    title: str = Field(examples=["Grow recurring revenue 20%"], description="At most 200 characters.")
    description: str | None = Field(default=None, description="Free text, at most 10,000 characters.")
    period_start: date = Field(examples=["2026-07-01"])
    period_end: date = Field(examples=["2026-09-30"], description="Not before period_start.")
    owner_unit_id: str = Field(description="The unit that owns the objective.")
    owner_person_id: str | None = Field(default=None, description="The person accountable for it.")
    parent_id: str | None = Field(
        default=None, description="The higher objective this one aligns to; its period must overlap this one's."
    )
    alignment_weight: float = Field(default=1.0, description="This objective's weight in its parent. " + WEIGHT)
    contributor_unit_ids: list[str] = Field(
        default_factory=list, description="Other units that contribute to it (at most 50)."
    )
    progress_rule: ProgressRule = Field(default="both", description=RULE)
    status: Literal["draft", "active"] | None = Field(
        default=None,
        description="A new objective is draft (the default) or active. Absent from a PUT: the status stays.",
    )
    external_refs: ExternalRefs = Field(default_factory=dict)
    links: list[Link] = Field(default_factory=list)


class ObjectivePatch(RequestBody):
    title: str | None = None
    description: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    owner_unit_id: str | None = None
    owner_person_id: str | None = None
    parent_id: str | None = Field(default=None, description="A move that would make a cycle is a 409.")
    alignment_weight: float | None = None
    contributor_unit_ids: list[str] | None = None
    progress_rule: ProgressRule | None = None
    status: ObjectiveStatus | None = Field(default=None, description=STATUS)
    external_refs: dict[str, str | None] | None = None
    links: list[Link] | None = None


class Objective(Resource):
    title: str
    description: str | None
    period_start: date
    period_end: date
    owner_unit_id: str
    owner_person_id: str | None
    parent_id: str | None
    alignment_weight: float
    contributor_unit_ids: list[str]
    progress_rule: ProgressRule
    status: ObjectiveStatus = Field(description=STATUS)
    progress: float = Field(description="0..1, rolled up from its inputs (GET …/progress explains it).")
    health: Health = Field(description=HEALTH_RULE)
    external_refs: ExternalRefs
    links: list[Link]


class KeyResultCreate(RequestBody):
    objective_id: str = Field(description="The objective it measures (fixed once created).")
    title: str = Field(examples=["New ARR signed"])
    unit: str | None = Field(default=None, examples=["EUR"], description="What the values count (32 characters).")
    start_value: Number = Field(default=0.0, examples=[0])
    target_value: Number = Field(
        examples=[100000], description="Differs from start_value; below it, the metric is decreasing."
    )
    weight: float = Field(default=1.0, description="Its weight in its objective. " + WEIGHT)
    owner_person_id: str | None = None
    check_in_cadence: Cadence = Field(
        default="none", description="A period with no check-in ends with `key_result.check_in_due`."
    )
    external_refs: ExternalRefs = Field(default_factory=dict)
    links: list[Link] = Field(default_factory=list)


class KeyResultPatch(RequestBody):
    title: str | None = None
    unit: str | None = None
    start_value: Number | None = None
    target_value: Number | None = None
    weight: float | None = None
    owner_person_id: str | None = None
    check_in_cadence: Cadence | None = None
    external_refs: dict[str, str | None] | None = None
    links: list[Link] | None = None


class KeyResult(Resource):
    objective_id: str
    title: str
    unit: str | None
    start_value: Number
    target_value: Number
    current_value: Number = Field(description="The latest check-in's value (the start before any).")
    weight: float
    owner_person_id: str | None
    check_in_cadence: Cadence
    progress: float = Field(description="(current − start) / (target − start), clamped to 0..1.")
    confidence: float | None = Field(description="The latest check-in's confidence, 0..1.")
    last_check_in_at: datetime | None
    external_refs: ExternalRefs
    links: list[Link]


class CheckInCreate(RequestBody):
    key_result_id: str
    value: Number = Field(examples=[42000], description="The key result's value now.")
    confidence: float | None = Field(default=None, examples=[0.8], description="0..1: how sure the target is met.")
    note: str | None = Field(default=None, examples=["Two deals signed this week."])
    external_refs: ExternalRefs = Field(default_factory=dict)


class CheckIn(Resource):
    key_result_id: str
    objective_id: str
    value: Number
    confidence: float | None
    note: str | None
    author_person_id: str | None = Field(description="The person the token acted as, if any.")
    author: dict[str, Any] = Field(description="The token or API client that recorded it.")
    external_refs: ExternalRefs


class Contribution(RequestBody):
    kind: Literal["key_result", "objective"]
    id: str
    title: str
    progress: float
    weight: float
    share: float = Field(description="weight × progress / total_weight.")


class ProgressExplained(RequestBody):
    objective_id: str
    progress_rule: ProgressRule
    progress: float = Field(description="The sum of the inputs' shares.")
    total_weight: float
    inputs: list[Contribution]


__all__ = ["datetime"]
