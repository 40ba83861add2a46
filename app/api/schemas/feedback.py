"""REST schemas of feedback, feedback requests and surveys. They document the wire; the rules (and their
error codes, the same as GraphQL's) are the domain's declaration (app/domain/feedback/model.py)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from app.api.schemas.common import ExternalRefs, Input, RequestBody, Resource

Kind = Literal["praise", "suggestion", "concern"]
Visibility = Literal["private", "manager", "public"]
SubjectType = Literal["objective", "key_result", "handoff", "unit"]
VISIBILITY = (
    "private: the recipient (for a unit, its lead) and the author when known; manager: also the recipient's"
    " management chain; public: the organization. Tokens that act as no person read public feedback only."
)
ANONYMOUS = (
    "No author is stored, in any form: the item's id carries no time, its times are its day's start (in the"
    " organization's time zone), and its event is released after the day ends. Needs a token that acts as a"
    " person; at most 20 a day per person."
)


class FeedbackCreate(RequestBody):
    recipient_person_id: str | None = Field(default=None, description="A person, or…")
    recipient_unit_id: str | None = Field(default=None, description="…a unit (exactly one of the two).")
    subject_type: SubjectType | None = None
    subject_id: str | None = Field(default=None, description="What it is about (optional).")
    kind: Kind
    body: str = Field(examples=["The handoff notes were complete; it saved us a day."])
    visibility: Visibility = Field(default="private", description=VISIBILITY)
    anonymous: bool = Field(default=False, description=ANONYMOUS)
    request_id: str | None = Field(default=None, description="The feedback request it answers.")


class Feedback(Resource):
    recipient_person_id: str | None
    recipient_unit_id: str | None
    subject_type: SubjectType | None
    subject_id: str | None
    kind: Kind
    body: str
    visibility: Visibility = Field(description=VISIBILITY)
    anonymous: bool = Field(description=ANONYMOUS)
    request_id: str | None
    created_on: date = Field(description="The day it was given, in the organization's time zone.")
    author_person_id: str | None = Field(description="Who gave it (null when anonymous, or given by no person).")
    author: dict[str, Any] = Field(description="The token that gave it (empty when anonymous).")
    external_refs: ExternalRefs


class FeedbackRequestCreate(RequestBody):
    requester_person_id: str | None = Field(default=None, description="Who asks (default: the token's person).")
    respondent_person_ids: list[str] = Field(description="The people asked (1 to 200).")
    subject_type: SubjectType | None = None
    subject_id: str | None = None
    message: str | None = None
    due_at: AwareDatetime = Field(examples=["2026-12-18T17:00:00Z"])
    allow_anonymous: bool = Field(
        default=False,
        description="true: every answer is anonymous (at least 3 people asked); false: every answer is by name.",
    )
    external_refs: ExternalRefs = Field(default_factory=dict)


class FeedbackRequestPatch(RequestBody):
    message: str | None = None
    due_at: AwareDatetime | None = None
    external_refs: dict[str, str | None] | None = None


class FeedbackRequest(Resource):
    requester_person_id: str
    respondent_person_ids: list[str]
    subject_type: SubjectType | None
    subject_id: str | None
    message: str | None
    due_at: AwareDatetime
    allow_anonymous: bool
    answers: int = Field(description="How many answered (anonymous answers once their day has ended).")
    answered_person_ids: list[str] = Field(description="Who answered by name; never who answered anonymously.")
    status: Literal["open", "fulfilled", "due"]
    external_refs: ExternalRefs


class Question(Input):
    id: str = Field(examples=["q1"])
    text: str = Field(examples=["How well does Delivery hear what Sales needs?"])
    type: Literal["scale", "text", "choice"] = Field(description="scale: 1 to 5; text; choice: one of `choices`.")
    choices: list[str] | None = None


class SurveyCreate(RequestBody):
    title: str = Field(examples=["How we work with Delivery"])
    questions: list[Question]
    audience_unit_ids: list[str] = Field(description="The units asked, with their descendants.")
    about_unit_id: str | None = Field(default=None, description="The unit the survey asks about (optional).")
    anonymous: bool = Field(default=True, description="Cannot change once a response exists.")
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    min_group_size: int = Field(default=5, description="Groups with fewer responses are suppressed (at least 3).")
    min_text_group_size: int = Field(default=5, description="Text answers only in groups this large.")
    external_refs: ExternalRefs = Field(default_factory=dict)


class SurveyPatch(RequestBody):
    title: str | None = None
    questions: list[Question] | None = None
    audience_unit_ids: list[str] | None = None
    about_unit_id: str | None = None
    anonymous: bool | None = Field(default=None, description="409 once a response exists.")
    opens_at: AwareDatetime | None = None
    closes_at: AwareDatetime | None = None
    min_group_size: int | None = None
    min_text_group_size: int | None = None
    external_refs: dict[str, str | None] | None = None


class Survey(Resource):
    title: str
    questions: list[Question]
    audience_unit_ids: list[str]
    about_unit_id: str | None
    anonymous: bool
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    min_group_size: int
    min_text_group_size: int
    status: Literal["scheduled", "open", "closed"]
    audience_size: int = Field(description="The people resolved when it opened.")
    responses: int = Field(description="Responses (of an open anonymous survey: those of the days ended).")
    external_refs: ExternalRefs


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
