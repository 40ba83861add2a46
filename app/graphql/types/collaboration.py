"""Collaboration analytics' types: what GET /v1/analytics/collaboration answers, typed."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON


@strawberry.type(description="The handoffs offered one way between two units in the period.")
class HandoffFlow:
    from_unit_id: strawberry.ID
    to_unit_id: strawberry.ID
    offered: int
    outcomes: JSON = strawberry.field(description="accepted, declined, forwarded, cancelled, pending.")
    acceptance_rate: float | None
    median_seconds_to_accept: float | None
    p90_seconds_to_accept: float | None
    overdue_rate: float
    decline_reasons: JSON


@strawberry.type(description="The handoffs each way: a → b is from the first of `unitIds` to the second.")
class PairHandoffs:
    a_to_b: HandoffFlow | None
    b_to_a: HandoffFlow | None


@strawberry.type(description="An objective one unit owns and the other contributes to.")
class SharedObjective:
    objective_id: strawberry.ID
    title: str
    owner_unit_id: strawberry.ID
    contributor_unit_id: strawberry.ID
    progress: float
    status: str


@strawberry.type(description="What one unit's people answered in a survey about the other.")
class SurveyScore:
    survey_id: strawberry.ID
    title: str
    about_unit_id: strawberry.ID
    from_unit_id: strawberry.ID
    responses: int | None = strawberry.field(description="Null under the survey's threshold.")
    score: float | None = strawberry.field(description="The mean of the scale questions' means; null when suppressed.")
    suppressed: bool


@strawberry.type(description="People with a membership of both units during the period, and through which kind.")
class PeopleInBoth:
    people: int
    member: int
    rotation: int
    training: int


@strawberry.type(description="What two units share over a period.")
class CollaborationPair:
    unit_ids: list[strawberry.ID]
    handoffs: PairHandoffs | None = strawberry.field(description="Null without handoffs:read.")
    shared_objectives: list[SharedObjective] | None = strawberry.field(description="Null without objectives:read.")
    survey_scores: list[SurveyScore] | None = strawberry.field(description="Null without feedback:read.")
    people_in_both: PeopleInBoth


def collaboration_pair(p: dict[str, Any]) -> CollaborationPair:
    flows = p["handoffs"]
    return CollaborationPair(
        unit_ids=list(p["unit_ids"]),
        handoffs=None
        if flows is None
        else PairHandoffs(**{way: None if f is None else HandoffFlow(**f) for way, f in flows.items()}),
        shared_objectives=None
        if p["shared_objectives"] is None
        else [SharedObjective(**o) for o in p["shared_objectives"]],
        survey_scores=None if p["survey_scores"] is None else [SurveyScore(**s) for s in p["survey_scores"]],
        people_in_both=PeopleInBoth(**p["people_in_both"]),
    )
