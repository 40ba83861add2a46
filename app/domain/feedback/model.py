"""Feedback, feedback requests, surveys and their responses: fields declared once, as data, and the rules
on values that need more than one field. An anonymous item has no author field at all: what could name
its author is never written (app/domain/feedback/anonymity.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.domain.errors import ErrorList
from app.domain.fields import EXAMPLE_NULL, Field, check_fields, only, with_article
from app.domain.model import Entity, ExternallyReferenced

KINDS = ("praise", "suggestion", "concern")
VISIBILITIES = ("private", "manager", "public")
SUBJECT_TYPES = ("objective", "key_result", "handoff", "unit")
SUBJECT_PREFIX = {"objective": "obj", "key_result": "kr", "handoff": "ho", "unit": "unit"}
QUESTION_TYPES = ("scale", "text", "choice")
SURVEY_STATUSES = ("scheduled", "open", "closed")
REQUEST_STATUSES = ("open", "fulfilled", "due")
SCALE = (1, 5)  # a scale question's answers: whole numbers from 1 to 5
MIN_GROUP_FLOOR = 3
MAX_QUESTIONS = 50
MAX_RESPONDENTS = 200
COUNT = 2**31 - 1  # the most a count of people or responses is stored as


@dataclass(frozen=True)
class Reader:
    """Whom a read of feedback is for: the person a token acts as (None: an integration or an admin), the
    units they lead, the people below them and the units those people lead."""

    person_id: str | None
    led_units: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    reports_units: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class Feedback(ExternallyReferenced):
    recipient_person_id: str | None = None
    recipient_unit_id: str | None = None
    subject_type: str | None = None
    subject_id: str | None = None
    kind: str
    body: str
    visibility: str = "private"
    anonymous: bool = False
    request_id: str | None = None  # the feedback request it answers
    created_on: date  # the day, in the organization's time zone (an anonymous item's only time)
    # The author, when known (never for an anonymous item): the person the token acted as, and the token.
    author_person_id: str | None = None
    author: dict[str, Any] = field(default_factory=dict)


@dataclass(kw_only=True)
class FeedbackRequest(ExternallyReferenced):
    requester_person_id: str
    respondent_person_ids: list[str]
    subject_type: str | None = None
    subject_id: str | None = None
    message: str | None = None
    due_at: datetime
    allow_anonymous: bool = False
    answers: int = 0  # how many answered (anonymous answers included)
    answered_person_ids: list[str] = field(default_factory=list)  # who, among those who answered by name
    status: str = "open"  # open | fulfilled (every respondent answered) | due (the date passed unanswered)


@dataclass(kw_only=True)
class Survey(ExternallyReferenced):
    title: str
    questions: list[dict[str, Any]]
    audience_unit_ids: list[str]
    about_unit_id: str | None = None
    anonymous: bool = True
    opens_at: datetime
    closes_at: datetime
    min_group_size: int = 5
    min_text_group_size: int = 5
    status: str = "scheduled"
    audience_size: int = 0  # people resolved when it opened
    responses: int = 0


@dataclass(kw_only=True)
class SurveyResponse(Entity):
    """One person's answers. Its group is the audience unit that held the respondent's primary membership
    when the survey opened; the respondent is named only when the survey is not anonymous."""

    survey_id: str
    group_unit_id: str
    answers: dict[str, Any]
    created_on: date
    respondent_person_id: str | None = None


VISIBILITY = (
    "private: the recipient (for a unit, its lead) and the author when known; manager: also the recipient's"
    " management chain; public: the organization. Tokens that act as no person read public feedback only."
)
ANONYMOUS = (
    "No author is stored, in any form: the item's id carries no time, its times are its day's start (in the"
    " organization's time zone), and its event is released after the day ends. Needs a token that acts as a"
    " person; at most 20 a day per person."
)
SUBJECT_ID = "What it is about (optional): the id of the objective, key result, handoff or unit."
FEEDBACK_FIELDS = (
    Field("recipient_person_id", "ref", prefix="person", description="A person, or…"),
    Field(
        "recipient_unit_id", "ref", prefix="unit", description="…a unit (exactly one of the two).", example=EXAMPLE_NULL
    ),
    Field("subject_type", "choice", choices=SUBJECT_TYPES),
    Field("subject_id", "name", limit=40, description=SUBJECT_ID, example="obj_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"),
    Field("kind", "choice", required=True, choices=KINDS, nullable=False, example="praise"),
    Field(
        "body",
        "text",
        required=True,
        limit=10_000,
        nullable=False,
        example="The handoff notes were complete; it saved us a day.",
    ),
    Field("visibility", "choice", choices=VISIBILITIES, nullable=False, description=VISIBILITY),
    Field("anonymous", "bool", nullable=False, description=ANONYMOUS),
    Field("request_id", "ref", prefix="fbr", description="The feedback request it answers."),
)
FEEDBACK_READ_ONLY = (
    Field("created_on", "date", description="The day it was given, in the organization's time zone."),
    Field(
        "author_person_id",
        "ref",
        prefix="person",
        description="Who gave it (null when anonymous, or given by no person).",
    ),
    Field("author", "json", description="The token that gave it (empty when anonymous)."),
)
FEEDBACK_DEFAULTS: dict[str, Any] = {"visibility": "private", "anonymous": False, "external_refs": {}}
REQUEST_FIELDS = (
    Field("requester_person_id", "ref", prefix="person", description="Who asks (default: the token's person)."),
    Field(
        "respondent_person_ids",
        "refs",
        required=True,
        prefix="person",
        nullable=False,
        max_items=MAX_RESPONDENTS,
        description=f"The people asked (1 to {MAX_RESPONDENTS}).",
    ),
    Field("subject_type", "choice", choices=SUBJECT_TYPES),
    Field("subject_id", "name", limit=40, description=SUBJECT_ID),
    Field("message", "text", limit=10_000, example="How did the Acme handoff go for you?"),
    Field("due_at", "instant", required=True, nullable=False, example="2026-12-18T17:00:00Z"),
    Field(
        "allow_anonymous",
        "bool",
        nullable=False,
        description=f"true: every answer is anonymous (at least {MIN_GROUP_FLOOR} people asked); false: every"
        " answer is by name.",
    ),
    Field("external_refs", "external_refs", nullable=False),
)
REQUEST_READ_ONLY = (
    Field(
        "answers",
        "integer",
        low=0,
        high=MAX_RESPONDENTS,
        description="How many answered (anonymous answers once their day has ended).",
    ),
    Field("answered_person_ids", "refs", prefix="person", description="Who answered by name; never anonymously."),
    Field("status", "choice", choices=REQUEST_STATUSES, description="open, fulfilled (all answered), due (past)."),
)
REQUEST_DEFAULTS: dict[str, Any] = {"allow_anonymous": False, "external_refs": {}}
REQUEST_WRITABLE = ("message", "due_at", "external_refs")
REQUEST_CHANGEABLE = only(REQUEST_FIELDS, REQUEST_WRITABLE)
SURVEY_FIELDS = (
    Field("title", "name", required=True, nullable=False, example="How we work with Delivery"),
    Field(
        "questions",
        "questions",
        required=True,
        nullable=False,
        max_items=MAX_QUESTIONS,
        description="`[{id, text, type, choices}]`: scale (1 to 5), text, or choice (one of `choices`).",
    ),
    Field(
        "audience_unit_ids",
        "refs",
        required=True,
        prefix="unit",
        nullable=False,
        description="The units asked, with their descendants.",
    ),
    Field("about_unit_id", "ref", prefix="unit", description="The unit the survey asks about (optional)."),
    Field("anonymous", "bool", nullable=False, description="Cannot change once a response exists."),
    Field("opens_at", "instant", required=True, nullable=False, example="2026-12-07T09:00:00Z"),
    Field("closes_at", "instant", required=True, nullable=False, example="2026-12-18T17:00:00Z"),
    Field(
        "min_group_size",
        "integer",
        low=MIN_GROUP_FLOOR,
        high=1000,
        nullable=False,
        description="Groups with fewer responses are suppressed.",
    ),
    Field(
        "min_text_group_size",
        "integer",
        low=MIN_GROUP_FLOOR,
        high=1000,
        nullable=False,
        description="Text answers only in groups this large (at least min_group_size).",
    ),
    Field("external_refs", "external_refs", nullable=False),
)
SURVEY_READ_ONLY = (
    Field("status", "choice", choices=SURVEY_STATUSES),
    Field("audience_size", "integer", low=0, high=COUNT, description="The people resolved when it opened."),
    Field(
        "responses",
        "integer",
        low=0,
        high=COUNT,
        description="Responses (of an open anonymous survey: those of the days ended).",
    ),
)
SURVEY_DEFAULTS: dict[str, Any] = {
    "anonymous": True,
    "min_group_size": 5,
    "min_text_group_size": 5,
    "external_refs": {},
}
SURVEY_WRITABLE = tuple(f.name for f in SURVEY_FIELDS)
# Once open, what the audience answers is fixed: only these change.
SURVEY_WRITABLE_OPEN = ("title", "closes_at", "anonymous", "external_refs")


def check_feedback(fields: dict[str, Any]) -> None:
    errors = ErrorList()
    check_fields(fields, FEEDBACK_FIELDS, errors, creating=True)
    recipients = [n for n in ("recipient_person_id", "recipient_unit_id") if fields.get(n) is not None]
    if len(recipients) != 1:
        errors.add("/recipient_person_id", "exactly one of recipient_person_id and recipient_unit_id", "required")
    _check_subject(fields, errors)
    errors.raise_if_any()


def check_request(fields: dict[str, Any], *, creating: bool) -> None:
    errors = ErrorList()
    check_fields(fields, REQUEST_FIELDS, errors, creating=creating)
    if creating and fields.get("respondent_person_ids") == []:
        errors.add("/respondent_person_ids", "must name at least one person", "required")
    respondents = fields.get("respondent_person_ids")
    anonymous_answers = creating and fields.get("allow_anonymous") is True
    if anonymous_answers and isinstance(respondents, list) and len(respondents) < MIN_GROUP_FLOOR:
        errors.add(
            "/respondent_person_ids",
            f"anonymous answers need at least {MIN_GROUP_FLOOR} people asked (fewer would name them)",
        )
    _check_subject(fields, errors)
    errors.raise_if_any()


def check_survey(fields: dict[str, Any], *, creating: bool) -> None:
    errors = ErrorList()
    check_fields(fields, SURVEY_FIELDS, errors, creating=creating)
    low, text_low = fields.get("min_group_size"), fields.get("min_text_group_size")
    if isinstance(low, int | float) and isinstance(text_low, int | float) and text_low < low:
        errors.add("/min_text_group_size", "must be at least min_group_size")
    opens, closes = fields.get("opens_at"), fields.get("closes_at")
    if isinstance(opens, datetime) and isinstance(closes, datetime) and closes <= opens:
        errors.add("/closes_at", "must be after opens_at")
    if fields.get("audience_unit_ids") == []:
        errors.add("/audience_unit_ids", "must name at least one unit", "required")
    errors.raise_if_any()


def _check_subject(fields: dict[str, Any], errors: ErrorList) -> None:
    kind, subject = fields.get("subject_type"), fields.get("subject_id")
    if (kind is None) != (subject is None):
        errors.add("/subject_id", "subject_type and subject_id go together", "required")
    elif kind in SUBJECT_PREFIX and isinstance(subject, str) and not subject.startswith(SUBJECT_PREFIX[kind] + "_"):
        errors.add("/subject_id", f"must be the id of {with_article(kind)}")


def check_questions(value: Any, errors: ErrorList, at: str, max_items: int) -> None:
    """`[{id, text, type, choices}]`: ids unique (a word), text up to 500 characters, choices (2 to 20) for
    `choice` questions only."""
    from app.domain.text import name_problem

    if not isinstance(value, list) or not 1 <= len(value) <= max_items:
        errors.add(at, f"must be a list of 1 to {max_items} questions")
        return
    seen: set[str] = set()
    for i, q in enumerate(value):
        where = f"{at}/{i}"
        if not isinstance(q, dict) or set(q) - {"id", "text", "type", "choices"}:
            errors.add(where, "must be an object with id, text, type and choices")
            continue
        qid = q.get("id")
        if not isinstance(qid, str) or not qid.isidentifier() or len(qid) > 40 or not qid.isascii():
            errors.add(f"{where}/id", "must be a word of at most 40 ASCII letters, digits or _")
        elif qid in seen:
            errors.add(f"{where}/id", "must not repeat another question's id")
        else:
            seen.add(qid)
        problem = name_problem(q.get("text"), 500)
        if problem:
            errors.add(f"{where}/text", problem)
        if q.get("type") not in QUESTION_TYPES:
            errors.add(f"{where}/type", f"must be one of: {', '.join(QUESTION_TYPES)}")
        choices = q.get("choices")
        if q.get("type") == "choice":
            if (
                not isinstance(choices, list)
                or not 2 <= len(choices) <= 20
                or any(name_problem(c, 200) for c in choices)
            ):
                errors.add(f"{where}/choices", "must be 2 to 20 choices of at most 200 characters")
            elif len(set(choices)) != len(choices):
                errors.add(f"{where}/choices", "must not repeat a choice")
        elif choices not in (None, []):
            errors.add(f"{where}/choices", "only a choice question has choices")


def check_answers(answers: Any, questions: list[dict[str, Any]]) -> dict[str, Any]:
    """`{question id: answer}`: a whole number from 1 to 5 for a scale, one of the choices for a choice, a
    text of at most 5,000 characters; unknown questions refused, unanswered ones left out."""
    from app.domain.text import text_problem, visible

    errors = ErrorList()
    if not isinstance(answers, dict) or not answers:
        errors.add("/answers", "must be an object of question id → answer, with at least one answer")
        errors.raise_if_any()
    by_id = {q["id"]: q for q in questions}
    for qid, value in answers.items():
        at = f"/answers/{qid}"
        q = by_id.get(qid)
        if q is None:
            errors.add(at, "no such question", "unknown_field")
        elif q["type"] == "scale":
            ok = isinstance(value, int) and not isinstance(value, bool) and SCALE[0] <= value <= SCALE[1]
            if not ok:
                errors.add(at, f"must be a whole number from {SCALE[0]} to {SCALE[1]}")
        elif q["type"] == "choice":
            if value not in q.get("choices", []):
                errors.add(at, "must be one of the question's choices")
        elif text_problem(value, 5000) or not visible(value):
            errors.add(at, "must be a text of 1 to 5000 characters")
    errors.raise_if_any()
    return dict(answers)
