"""Root fields of feedback: feedback, feedbackItems, feedbackRequest(s), survey(s)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.domain.errors import NotFound
from app.domain.feedback.facade import Feedbacks
from app.graphql.queries.objectives import _arg
from app.graphql.queries.org_chart import _connection, _query
from app.graphql.types.feedback import Feedback, FeedbackRequest, Survey, feedback, feedback_request, survey
from app.graphql.types.org_chart import Connection


@strawberry.type
class FeedbackQuery:
    @strawberry.field(description="A feedback item you may read (null otherwise, as when it does not exist).")
    async def feedback(self, info: strawberry.Info, id: strawberry.ID) -> Feedback | None:
        try:
            async with info.context.read() as uow:
                return feedback(await Feedbacks(uow, info.context.principal).get_feedback(str(id)))
        except NotFound:
            return None

    @strawberry.field(description="The feedback you may read (the same rules as GET /v1/feedback).")
    async def feedback_items(
        self,
        info: strawberry.Info,
        first: int = 50,
        after: str | None = None,
        recipient_person_id: Annotated[strawberry.ID | None, _arg("Only feedback to this person.")] = None,
        recipient_unit_id: Annotated[strawberry.ID | None, _arg("Only feedback to this unit.")] = None,
        request_id: Annotated[strawberry.ID | None, _arg("Only the answers to this request.")] = None,
    ) -> Connection[Feedback]:
        query = _query(
            first, after, recipient_person_id=recipient_person_id, recipient_unit_id=recipient_unit_id,
            request_id=request_id,
        )  # fmt: skip
        async with info.context.read() as uow:
            page = await Feedbacks(uow, info.context.principal).list_feedback(query)
        return _connection(page, feedback)

    @strawberry.field(description="A feedback request (null when it does not exist in your organization).")
    async def feedback_request(self, info: strawberry.Info, id: strawberry.ID) -> FeedbackRequest | None:
        try:
            async with info.context.read() as uow:
                return feedback_request(await Feedbacks(uow, info.context.principal).get_feedback_request(str(id)))
        except NotFound:
            return None

    @strawberry.field(description="Feedback requests.")
    async def feedback_requests(
        self, info: strawberry.Info, first: int = 50, after: str | None = None
    ) -> Connection[FeedbackRequest]:
        async with info.context.read() as uow:
            page = await Feedbacks(uow, info.context.principal).list_feedback_requests(_query(first, after))
        return _connection(page, feedback_request)

    @strawberry.field(description="A survey (null when it does not exist in your organization).")
    async def survey(self, info: strawberry.Info, id: strawberry.ID) -> Survey | None:
        try:
            async with info.context.read() as uow:
                return survey(await Feedbacks(uow, info.context.principal).get_survey(str(id)))
        except NotFound:
            return None

    @strawberry.field(description="Surveys.")
    async def surveys(
        self,
        info: strawberry.Info,
        first: int = 50,
        after: str | None = None,
        status: Annotated[str | None, _arg("scheduled, open or closed.")] = None,
    ) -> Connection[Survey]:
        async with info.context.read() as uow:
            page = await Feedbacks(uow, info.context.principal).list_surveys(_query(first, after, status=status))
        return _connection(page, survey)
