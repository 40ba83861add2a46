"""Mutations of feedback, feedback requests and surveys: the same service methods as REST, each in its own
transaction, answering `{<object>, userErrors}`. Inputs are derived from the domain's declaration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry.scalars import JSON

from app.domain.feedback.facade import Feedbacks
from app.domain.feedback.model import FEEDBACK_FIELDS, REQUEST_FIELDS, REQUEST_WRITABLE, SURVEY_FIELDS
from app.graphql.mutations.common import UserError, run_service
from app.graphql.types.feedback import Feedback, FeedbackRequest, Survey, feedback, feedback_request, survey
from app.graphql.types.inputs import derive_input, for_create, given

CreateFeedbackInput: Any = derive_input("CreateFeedbackInput", FEEDBACK_FIELDS, update=False, description="Feedback.")
CreateFeedbackRequestInput: Any = derive_input(
    "CreateFeedbackRequestInput", REQUEST_FIELDS, update=False, description="A request for feedback."
)
UpdateFeedbackRequestInput: Any = derive_input(
    "UpdateFeedbackRequestInput",
    [f for f in REQUEST_FIELDS if f.name in REQUEST_WRITABLE],
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
class FeedbackPayload:
    feedback: Feedback | None
    user_errors: list[UserError]


@strawberry.type
class FeedbackRequestPayload:
    feedback_request: FeedbackRequest | None
    user_errors: list[UserError]


@strawberry.type
class SurveyPayload:
    survey: Survey | None
    user_errors: list[UserError]


@strawberry.type
class SurveyResponsePayload:
    response: JSON | None = strawberry.field(description="`{id, surveyId, createdOn}`: no time finer than the day.")
    user_errors: list[UserError]


@strawberry.type
class DeleteFeedbackPayload:
    deleted_id: strawberry.ID | None
    user_errors: list[UserError]


@strawberry.type
class FeedbackMutation:
    @strawberry.mutation(description="The same as POST /v1/feedback.")
    async def create_feedback(self, info: strawberry.Info, input: CreateFeedbackInput) -> FeedbackPayload:
        f, errors = await _run(info, lambda s: s.create_feedback(for_create(input)))
        return FeedbackPayload(feedback=feedback(f), user_errors=errors)

    @strawberry.mutation(description="The same as POST /v1/feedback-requests.")
    async def create_feedback_request(
        self, info: strawberry.Info, input: CreateFeedbackRequestInput
    ) -> FeedbackRequestPayload:
        r, errors = await _run(info, lambda s: s.create_feedback_request(for_create(input)))
        return FeedbackRequestPayload(feedback_request=feedback_request(r), user_errors=errors)

    @strawberry.mutation(description="The same as PATCH /v1/feedback-requests/{id}.")
    async def update_feedback_request(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        input: UpdateFeedbackRequestInput,
        if_match_version: int | None = None,
    ) -> FeedbackRequestPayload:
        r, errors = await _run(info, lambda s: s.update_feedback_request(str(id), given(input), if_match_version))
        return FeedbackRequestPayload(feedback_request=feedback_request(r), user_errors=errors)

    @strawberry.mutation(description="The same as DELETE /v1/feedback-requests/{id}.")
    async def delete_feedback_request(
        self, info: strawberry.Info, id: strawberry.ID, if_match_version: int | None = None
    ) -> DeleteFeedbackPayload:
        _, errors = await _run(info, lambda s: s.delete_feedback_request(str(id), if_match_version))
        return DeleteFeedbackPayload(deleted_id=None if errors else id, user_errors=errors)

    @strawberry.mutation(description="The same as POST /v1/surveys.")
    async def create_survey(self, info: strawberry.Info, input: CreateSurveyInput) -> SurveyPayload:
        s_, errors = await _run(info, lambda s: s.create_survey(for_create(input)))
        return SurveyPayload(survey=survey(s_), user_errors=errors)

    @strawberry.mutation(description="The same as PATCH /v1/surveys/{id}: `anonymous` cannot change once answered.")
    async def update_survey(
        self, info: strawberry.Info, id: strawberry.ID, input: UpdateSurveyInput, if_match_version: int | None = None
    ) -> SurveyPayload:
        s_, errors = await _run(info, lambda s: s.update_survey(str(id), given(input), if_match_version))
        return SurveyPayload(survey=survey(s_), user_errors=errors)

    @strawberry.mutation(description="The same as DELETE /v1/surveys/{id}.")
    async def delete_survey(
        self, info: strawberry.Info, id: strawberry.ID, if_match_version: int | None = None
    ) -> DeleteFeedbackPayload:
        _, errors = await _run(info, lambda s: s.delete_survey(str(id), if_match_version))
        return DeleteFeedbackPayload(deleted_id=None if errors else id, user_errors=errors)

    @strawberry.mutation(description="The same as POST /v1/surveys/{id}/responses: one response per person.")
    async def respond_to_survey(
        self, info: strawberry.Info, survey_id: strawberry.ID, answers: JSON
    ) -> SurveyResponsePayload:
        r, errors = await _run(info, lambda s: s.respond(str(survey_id), answers))
        shown = None if r is None else {"id": r["id"], "surveyId": r["survey_id"], "createdOn": r["created_on"]}
        return SurveyResponsePayload(response=shown, user_errors=errors)  # type: ignore[arg-type]
