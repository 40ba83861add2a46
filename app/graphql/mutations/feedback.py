"""Mutations of feedback, feedback requests and surveys: the same service methods as REST, each in its own
transaction, answering `{<object>, userErrors}`. Inputs are derived from the domain's declaration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry.scalars import JSON

from app.domain.feedback.facade import Feedbacks
from app.domain.feedback.model import (
    FEEDBACK_FIELDS,
    REQUEST_CHANGEABLE,
    REQUEST_FIELDS,
    SURVEY_FIELDS,
)
from app.graphql.kit import GraphQLCollection, deleted, mutations
from app.graphql.mutations.common import UserError, run_service
from app.graphql.types.feedback import Feedback, FeedbackRequest, Survey, feedback, feedback_request, survey
from app.graphql.types.inputs import derive_input

CreateFeedbackInput: Any = derive_input("CreateFeedbackInput", FEEDBACK_FIELDS, update=False, description="Feedback.")
CreateFeedbackRequestInput: Any = derive_input(
    "CreateFeedbackRequestInput", REQUEST_FIELDS, update=False, description="A request for feedback."
)
UpdateFeedbackRequestInput: Any = derive_input(
    "UpdateFeedbackRequestInput",
    REQUEST_CHANGEABLE,
    update=True,
    description="The message or the date.",
)
CreateSurveyInput: Any = derive_input("CreateSurveyInput", SURVEY_FIELDS, update=False, description="A survey.")
UpdateSurveyInput: Any = derive_input(
    "UpdateSurveyInput", SURVEY_FIELDS, update=True, description="Absent fields stay as they are."
)


async def _run(info: strawberry.Info, work: Callable[[Feedbacks], Awaitable[Any]]) -> tuple[Any, list[UserError]]:
    return await run_service(info, Feedbacks, work)


@strawberry.type
class SurveyResponsePayload:
    response: JSON | None = strawberry.field(description="`{id, surveyId, createdOn}`: no time finer than the day.")
    user_errors: list[UserError]


DeleteFeedbackPayload: Any = deleted("DeleteFeedbackPayload", "deleted_id")
FEEDBACK = GraphQLCollection(
    noun="feedback",
    service=Feedbacks,
    object_type=Feedback,
    convert=feedback,
    rest="/v1/feedback",
    create_input=CreateFeedbackInput,
)
REQUESTS = GraphQLCollection(
    noun="feedback_request",
    service=Feedbacks,
    object_type=FeedbackRequest,
    convert=feedback_request,
    rest="/v1/feedback-requests",
    create_input=CreateFeedbackRequestInput,
    update_input=UpdateFeedbackRequestInput,
    delete_payload=DeleteFeedbackPayload,
)
SURVEYS = GraphQLCollection(
    noun="survey",
    service=Feedbacks,
    object_type=Survey,
    convert=survey,
    rest="/v1/surveys",
    create_input=CreateSurveyInput,
    update_input=UpdateSurveyInput,
    delete_payload=DeleteFeedbackPayload,
    descriptions={"update": "The same as PATCH /v1/surveys/{id}: `anonymous` cannot change once answered."},
)


@strawberry.type
class FeedbackMutation(mutations("FeedbackCrud", FEEDBACK, REQUESTS, SURVEYS)):  # type: ignore[misc]
    """The kit's mutations of feedback, requests and surveys, and a survey's responses."""

    @strawberry.mutation(description="The same as POST /v1/surveys/{id}/responses: one response per person.")
    async def respond_to_survey(
        self, info: strawberry.Info, survey_id: strawberry.ID, answers: JSON
    ) -> SurveyResponsePayload:
        r, errors = await _run(info, lambda s: s.respond(str(survey_id), answers))
        shown = None if r is None else {"id": r["id"], "surveyId": r["survey_id"], "createdOn": r["created_on"]}
        return SurveyResponsePayload(response=shown, user_errors=errors)  # type: ignore[arg-type]
