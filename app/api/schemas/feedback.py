"""REST schemas of feedback, feedback requests and surveys. They document the wire; the rules (and their
error codes, the same as GraphQL's) are the domain's declaration (app/domain/feedback/model.py)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from pydantic import BaseModel, Field

from app.api.schemas.common import RequestBody
from app.api.schemas.derive import choice, create_body, patch_body, resource_body
from app.domain.feedback.model import (
    FEEDBACK_DEFAULTS,
    FEEDBACK_FIELDS,
    FEEDBACK_READ_ONLY,
    KINDS,
    REQUEST_CHANGEABLE,
    REQUEST_DEFAULTS,
    REQUEST_FIELDS,
    REQUEST_READ_ONLY,
    SURVEY_DEFAULTS,
    SURVEY_FIELDS,
    SURVEY_READ_ONLY,
    VISIBILITIES,
)
from app.domain.feedback.model import Feedback as FeedbackModel
from app.domain.feedback.model import FeedbackRequest as FeedbackRequestModel
from app.domain.feedback.model import Survey as SurveyModel

if TYPE_CHECKING:
    Kind: TypeAlias = str
    Visibility: TypeAlias = str
else:  # enumerations of the declared values
    Kind, Visibility = choice(KINDS), choice(VISIBILITIES)

FeedbackCreate = create_body("FeedbackCreate", FEEDBACK_FIELDS, FEEDBACK_DEFAULTS, doc="Feedback given.")
Feedback = resource_body(
    "Feedback", FeedbackModel, FEEDBACK_FIELDS, read_only=FEEDBACK_READ_ONLY, doc="Feedback to a person or unit."
)
FeedbackRequestCreate = create_body(
    "FeedbackRequestCreate", REQUEST_FIELDS, REQUEST_DEFAULTS, doc="A new request for feedback."
)
FeedbackRequestPatch = patch_body(
    "FeedbackRequestPatch",
    REQUEST_CHANGEABLE,
    doc="A JSON merge patch of a feedback request (its message, due date and refs).",
)
FeedbackRequest = resource_body(
    "FeedbackRequest",
    FeedbackRequestModel,
    REQUEST_FIELDS,
    read_only=REQUEST_READ_ONLY,
    doc="A request for feedback from a set of people.",
)
SurveyCreate = create_body("SurveyCreate", SURVEY_FIELDS, SURVEY_DEFAULTS, doc="A new survey.")
SurveyPatch = patch_body(
    "SurveyPatch", SURVEY_FIELDS, doc="A JSON merge patch of a survey (once open: title, closes_at, anonymous, refs)."
)
Survey = resource_body("Survey", SurveyModel, SURVEY_FIELDS, read_only=SURVEY_READ_ONLY, doc="A pulse survey.")


class SurveyAnswers(RequestBody):
    answers: dict[str, Any] = Field(
        examples=[{"q1": 4, "q2": "The weekly sync helps."}],
        description="Question id → answer: 1 to 5 for a scale, one of the choices, or a text.",
    )


class SurveyResponseCreated(BaseModel):
    id: str
    survey_id: str
    created_on: date = Field(description="The day, in the organization's time zone: a response shows no time.")


class SurveyResults(BaseModel):
    survey_id: str
    group_by: Literal["unit", "question"]
    status: str
    min_group_size: int
    min_text_group_size: int
    responses: int | None = Field(description="The total, or null when it is below the minimum.")
    suppressed: bool
    groups: list[dict[str, Any]] | None = Field(
        default=None,
        description="group_by=unit: each audience unit `{unit_id, suppressed, responses, questions}`; a group"
        " below the minimum is suppressed, and so is the next-smallest beside it.",
    )
    questions: list[dict[str, Any]] | None = Field(
        default=None, description="group_by=question: each question's aggregate (mean, distribution, counts, texts)."
    )
