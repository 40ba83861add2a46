"""Feedback over REST: feedback, feedback requests and surveys registered with the resource kit; a survey's
responses and results."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from app.api.conventions import Json, idempotent
from app.api.deps import LiaisonRoute, UoW
from app.api.kit import Collection, Operation, id_filter, register
from app.api.schemas import feedback as s
from app.api.schemas.common import PROBLEM_RESPONSES
from app.domain.feedback.facade import Feedbacks
from app.domain.feedback.service import WRITE
from app.repo.uow import SqlUnitOfWork

router = APIRouter(route_class=LiaisonRoute, prefix="/v1", responses=PROBLEM_RESPONSES)
TAG: list[str | Enum] = ["Feedback"]


def _service(uow: SqlUnitOfWork) -> Feedbacks:
    return Feedbacks(uow, uow.caller)


async def _anonymous_client(service: Feedbacks, fields: dict[str, Any]) -> Any:
    return await service.anonymous_client("feedback") if fields.get("anonymous") else None


FEEDBACK = Collection(
    path="feedback",
    noun="feedback",
    plural="feedback",
    tag="Feedback",
    resource=s.Feedback,
    create=s.FeedbackCreate,
    patch=s.FeedbackCreate,
    service=_service,
    write_scope=WRITE,
    history=False,
    anonymous_client=_anonymous_client,
    filters={
        "recipient_person_id": id_filter("Only feedback to this person.", "person"),
        "recipient_unit_id": id_filter("Only feedback to this unit.", "unit"),
        "subject_id": id_filter("Only feedback about this subject.", "obj"),
        "request_id": id_filter("Only the answers to this feedback request.", "fbr"),
        "kind": Annotated[s.Kind | None, Query(description="Only feedback of this kind.")],
        "visibility": Annotated[s.Visibility | None, Query(description="Only feedback of this visibility.")],
    },
    docs={
        "create": Operation(
            "Give feedback",
            "Feedback to a person or a unit, about an optional subject, `private` (the default), `manager` or\n"
            "`public`. With `anonymous: true` (a token that acts as a person) nothing that could name the author\n"
            "is stored: no author field, an id that carries no time, times given to the day only, an event\n"
            "released after the day ends; its Idempotency-Key record names a keyed hash, never the token.\n"
            "Records `feedback.created` (with the body only when public).",
        ),
        "list": Operation(
            "List the feedback you may read",
            "Public feedback, and for a token that acts as a person also what they received or gave by name,\n"
            "what their units received (as lead), and `manager` feedback to the people below them. Admin and\n"
            "integration tokens read public feedback only.",
        ),
        "get": Operation("Get feedback", "One item, under the same rules as the list (404 otherwise)."),
    },
)
REQUESTS = Collection(
    path="feedback-requests",
    noun="feedback_request",
    plural="feedback_requests",
    tag="Feedback",
    resource=s.FeedbackRequest,
    create=s.FeedbackRequestCreate,
    patch=s.FeedbackRequestPatch,
    service=_service,
    write_scope=WRITE,
    history=False,
    filters={"requester_person_id": id_filter("Only the requests this person made.", "person")},
    docs={
        "create": Operation(
            "Ask people for feedback",
            "Ask named people for feedback about a subject by `due_at`. Each answers with `POST /v1/feedback`\n"
            "and `request_id`; anonymous answers only with `allow_anonymous`, one per respondent. Records\n"
            "`feedback_request.created`; `feedback_request.due` once when the date passes with someone yet to\n"
            "answer.",
        ),
        "list": Operation("List feedback requests", "Feedback requests, with how many answered."),
        "get": Operation(
            "Get a feedback request",
            "With `answers` (anonymous ones once their day has ended) and `answered_person_ids` (those who\n"
            "answered by name; never who answered anonymously).",
        ),
        "update": Operation("Change a feedback request's message or date", "Records `feedback_request.updated`."),
        "delete": Operation(
            "Delete a feedback request nobody answered", "Records `feedback_request.deleted`; 409 once answered."
        ),
    },
)
SURVEYS = Collection(
    path="surveys",
    noun="survey",
    plural="surveys",
    tag="Feedback",
    resource=s.Survey,
    create=s.SurveyCreate,
    patch=s.SurveyPatch,
    service=_service,
    write_scope=WRITE,
    history=False,
    filters={"status": Annotated[Literal["scheduled", "open", "closed"] | None, Query(description="By status.")]},
    docs={
        "create": Operation(
            "Schedule a survey",
            "Questions (`scale` 1 to 5, `text`, `choice`) for the people of `audience_unit_ids` and their\n"
            "descendants, resolved when it opens (`survey.opened`, at `opens_at`); each respondent's group is\n"
            "the audience unit above their primary membership. It closes at `closes_at` (`survey.closed`).\n"
            "Anonymous by default; `min_group_size` (default 5, at least 3) and `min_text_group_size` (default\n"
            "5) guard the results. Records `survey.created`.",
        ),
        "list": Operation("List surveys", "Surveys, with their status and counts."),
        "get": Operation(
            "Get a survey",
            "A survey, with its audience size and how many responded.",
        ),
        "update": Operation(
            "Change a survey (JSON merge patch)",
            "Before it opens, any field; once open, its title, closing time and anonymity; `anonymous` cannot\n"
            "change once a response exists (409). Closed: nothing. Records `survey.updated`.",
        ),
        "delete": Operation("Delete a survey nobody answered", "Records `survey.deleted`; 409 once answered."),
    },
)

register(router, FEEDBACK)
register(router, REQUESTS)
register(router, SURVEYS)


@router.post(
    "/surveys/{survey_id}/responses",
    status_code=201,
    response_model=s.SurveyResponseCreated,
    tags=TAG,
    summary="Answer a survey (one response per person)",
)
async def create_survey_response(survey_id: str, body: s.SurveyAnswers, request: Request, uow: UoW) -> Response:
    """A person of the audience answers, once: a second response is a 409, anonymous or not (a keyed hash
    under the survey's own key, deleted when it closes, tells; nothing stored names the respondent of an
    anonymous survey). The answer shows the response's id and day only."""
    service = _service(uow)

    async def produce() -> Response:
        return Json(await service.respond(survey_id, body.answers), status_code=201)

    anonymous = None
    if "idempotency-key" in request.headers and await service.is_anonymous_survey(survey_id):
        anonymous = await service.anonymous_client("survey_response")
    return await idempotent(request, uow, uow.caller, produce, WRITE, anonymous=anonymous)


@router.get("/surveys/{survey_id}/results", response_model=s.SurveyResults, tags=TAG, summary="A survey's results")
async def get_survey_results(
    survey_id: str,
    uow: UoW,
    group_by: Annotated[Literal["unit", "question"], Query(description="By audience unit, or by question.")] = "unit",
) -> Response:
    """Aggregates: a scale's mean and distribution, a choice's counts, texts. A group with fewer responses
    than `min_group_size` is suppressed, and so is the next-smallest group beside it (so that no total minus
    the others reveals it); a question answered by fewer people than the minimum shows no figure either;
    texts only where at least `min_text_group_size` answered; the total only when it reaches the minimum.
    Groups are the audience units resolved when the survey opened: no query draws another boundary."""
    return Json(await _service(uow).survey_results(survey_id, group_by))
