from __future__ import annotations

import types
import typing
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, WithJsonSchema, field_validator

from app.domain.feedback.model import QUESTION_TYPES
from app.domain.model import LINK_KINDS
from app.domain.text import UNSTORABLE_MESSAGE, unstorable_in

ExternalRefs = dict[str, str]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


@cache
def _json_kind(annotation: Any) -> str | None:
    """The JSON type a scalar field takes (`number`, `boolean`, `string`), or None for anything else."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _json_kind(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        kinds = {_json_kind(a) for a in typing.get_args(annotation) if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    if annotation is bool:
        return "boolean"
    if annotation in (int, float):
        return "number"
    if annotation is AwareDatetime or (isinstance(annotation, type) and issubclass(annotation, date)):
        return "string"
    return None


_JSON_TYPES = {"number": (int, float), "boolean": (bool,), "string": (str,)}


class RequestBody(Input):
    """What a client sends. Only requests are checked: what we answer was checked on its way in. A scalar
    field takes its own JSON type only: `true` is no number, `"1_000"` no amount, `1767225600` no date
    (pydantic would convert them; GraphQL and the domain's declaration refuse them, and so does REST)."""

    @field_validator("*", mode="before")
    @classmethod
    def _json_type(cls, value: Any, info: ValidationInfo) -> Any:
        annotation: Any = cls.model_fields[info.field_name].annotation if info.field_name else None
        kind = _json_kind(annotation) if annotation is not None else None
        if kind is None or value is None:
            return value
        if isinstance(value, _JSON_TYPES[kind]) and not (kind == "number" and isinstance(value, bool)):
            return value
        raise ValueError(f"must be a JSON {kind}")

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        """No text may hold U+0000 or a lone surrogate (`app/domain/text.py`)."""
        if unstorable_in(value):
            raise ValueError(UNSTORABLE_MESSAGE)
        return value


class SubObject(BaseModel):
    """An object inside a request's field (a link, a checklist item, a question). Its schema documents it;
    the domain's check holds it, unknown keys and wrong values included, so that a bad one gets the message
    and pointer GraphQL gives (`/links/0/url`)."""

    model_config = ConfigDict(extra="allow")


class Link(SubObject):
    """A document, ticket or channel behind the work (Google Docs, JIRA, Slack…)."""

    model_config = ConfigDict(json_schema_extra={"additionalProperties": False, "required": ["title", "url"]})

    title: Annotated[Any, WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 200})] = Field(
        default=None, examples=["Q3 sales plan"]
    )
    url: Annotated[Any, WithJsonSchema({"type": "string", "format": "uri", "maxLength": 2048})] = Field(
        default=None, examples=["https://docs.example.com/d/q3-plan"], description="An absolute http(s) URL."
    )
    kind: Annotated[Any, WithJsonSchema({"type": "string", "enum": list(LINK_KINDS)})] = Field(
        default="other", examples=["document"]
    )


class ChecklistItem(SubObject):
    model_config = ConfigDict(json_schema_extra={"additionalProperties": False, "required": ["item"]})

    item: Annotated[Any, WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 500})] = Field(
        default=None, examples=["Signed contract attached"], description="At most 500 characters."
    )
    done: Annotated[Any, WithJsonSchema({"type": "boolean"})] = False
    required: Annotated[Any, WithJsonSchema({"type": "boolean"})] = Field(
        default=False, description="`complete` needs every required item done."
    )


class Question(SubObject):
    model_config = ConfigDict(json_schema_extra={"additionalProperties": False, "required": ["id", "text", "type"]})

    id: Annotated[Any, WithJsonSchema({"type": "string", "maxLength": 40})] = Field(
        default=None, examples=["q1"], description="A word, unique."
    )
    text: Annotated[Any, WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 500})] = Field(
        default=None, examples=["How well does Delivery hear what Sales needs?"]
    )
    type: Annotated[Any, WithJsonSchema({"type": "string", "enum": list(QUESTION_TYPES)})] = Field(
        default=None, description="scale: 1 to 5; text; choice: one of `choices`."
    )
    choices: Annotated[
        Any, WithJsonSchema({"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]})
    ] = Field(default=None, description="For a choice question: 2 to 20.")


class Resource(BaseModel):
    id: str = Field(description="Opaque id, prefixed with the object's type and time-ordered.")
    created_at: datetime = Field(description="When it was created (RFC 3339, UTC).")
    updated_at: datetime = Field(description="When it last changed (RFC 3339, UTC).")
    version: int = Field(description="Grows with every change; the ETag carries it.")


class Problem(BaseModel):
    """RFC 9457 problem details (`application/problem+json`)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {"application/problem+json": {}}, "description": desc}
    for status, desc in {
        400: "Malformed request (bad JSON).",
        401: "Missing or bad token.",
        403: "The token lacks a scope.",
        404: "No such object in your organization.",
        409: "Conflict.",
        412: "If-Match is stale.",
        413: "Body over 1 MiB.",
        422: "Invalid fields.",
        429: "Rate limited.",
    }.items()
}
