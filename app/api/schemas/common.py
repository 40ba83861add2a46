from __future__ import annotations

import types
import typing
from datetime import date, datetime
from functools import cache
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

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


class Link(Input):
    """A document, ticket or channel behind the work (Google Docs, JIRA, Slack…)."""

    title: str = Field(min_length=1, max_length=200, examples=["Q3 sales plan"])
    url: str = Field(min_length=1, max_length=2048, examples=["https://docs.example.com/d/q3-plan"])
    kind: Literal["document", "ticket", "chat", "other"] = Field(default="other", examples=["document"])


class ChecklistItem(RequestBody):
    item: str = Field(examples=["Signed contract attached"], description="At most 500 characters.")
    done: bool = False
    required: bool = Field(default=False, description="`complete` needs every required item done.")


class Question(Input):
    id: str = Field(examples=["q1"])
    text: str = Field(examples=["How well does Delivery hear what Sales needs?"])
    type: Literal["scale", "text", "choice"] = Field(description="scale: 1 to 5; text; choice: one of `choices`.")
    choices: list[str] | None = None


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
