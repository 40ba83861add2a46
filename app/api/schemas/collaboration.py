from __future__ import annotations

from pydantic import Field

from app.api.schemas.common import Input
from app.api.schemas.handoffs import PairAnalytics


class PairHandoffs(Input):
    a_to_b: PairAnalytics | None = Field(description="From the first unit of `unit_ids` to the second.")
    b_to_a: PairAnalytics | None = Field(description="From the second unit to the first.")


class SharedObjective(Input):
    objective_id: str
    title: str
    owner_unit_id: str
    contributor_unit_id: str
    progress: float
    status: str


class SurveyScore(Input):
    survey_id: str
    title: str
    about_unit_id: str = Field(description="The unit the survey is about.")
    from_unit_id: str = Field(description="The unit whose people answered.")
    responses: int | None = Field(description="Null when the group is under the survey's threshold.")
    score: float | None = Field(description="The mean of the scale questions' means (1–5); null when suppressed.")
    suppressed: bool


class PeopleInBoth(Input):
    people: int = Field(description="People with a membership of each unit during the period.")
    member: int
    rotation: int
    training: int = Field(description="Of those, how many through a membership of this kind (either unit).")


class CollaborationPair(Input):
    unit_ids: list[str] = Field(description="The two units, in id order.")
    handoffs: PairHandoffs | None = Field(description="Null without handoffs:read.")
    shared_objectives: list[SharedObjective] | None = Field(
        description="Objectives one owns and the other contributes to; null without objectives:read."
    )
    survey_scores: list[SurveyScore] | None = Field(
        description="Surveys about one unit answered by the other's people; null without feedback:read."
    )
    people_in_both: PeopleInBoth
