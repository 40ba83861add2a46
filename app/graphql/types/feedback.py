"""Feedback, FeedbackRequest and Survey in GraphQL: fields derived from the domain, read through the same
services as REST (the visibility rules and the anonymity of authors are theirs)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON

from app.domain.feedback.model import (
    FEEDBACK_FIELDS,
    FEEDBACK_READ_ONLY,
    REQUEST_FIELDS,
    REQUEST_READ_ONLY,
    SURVEY_FIELDS,
    SURVEY_READ_ONLY,
)
from app.domain.feedback.model import Feedback as FeedbackModel
from app.domain.feedback.model import FeedbackRequest as RequestModel
from app.domain.feedback.model import Survey as SurveyModel
from app.graphql.types.derive import derive, instance

_FeedbackFields: Any = derive(
    FeedbackModel,
    "FeedbackFields",
    description="A feedback item's own fields.",
    declared=(*FEEDBACK_FIELDS, *FEEDBACK_READ_ONLY),
)
_RequestFields: Any = derive(
    RequestModel,
    "FeedbackRequestFields",
    description="A feedback request's fields.",
    declared=(*REQUEST_FIELDS, *REQUEST_READ_ONLY),
)
_SurveyFields: Any = derive(
    SurveyModel,
    "SurveyFields",
    description="A survey's own fields.",
    declared=(*SURVEY_FIELDS, *SURVEY_READ_ONLY),
)


@strawberry.type(description="Feedback to a person or a unit; an anonymous item names no author, in any form.")
class Feedback(_FeedbackFields):  # type: ignore[misc]
    pass


@strawberry.type(description="Named people asked for feedback by a date.")
class FeedbackRequest(_RequestFields):  # type: ignore[misc]
    pass


@strawberry.type(description="A survey of the people of some units, with results that suppress small groups.")
class Survey(_SurveyFields):  # type: ignore[misc]
    @strawberry.field(description="The same as GET /v1/surveys/{id}/results (groupBy: unit or question).")
    async def results(self, info: strawberry.Info, group_by: str = "unit") -> JSON:
        from app.domain.feedback.facade import Feedbacks

        async with info.context.read() as uow:
            found = await Feedbacks(uow, info.context.principal).survey_results(str(self.id), group_by)
        return found  # type: ignore[return-value]


def feedback(f: FeedbackModel | None) -> Any:
    return None if f is None else instance(Feedback, f)


def feedback_request(r: RequestModel | None) -> Any:
    return None if r is None else instance(FeedbackRequest, r)


def survey(s: SurveyModel | None) -> Any:
    return None if s is None else instance(Survey, s)
