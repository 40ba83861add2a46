from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.domain.text import UNSTORABLE_MESSAGE, unstorable_in

ExternalRefs = dict[str, str]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequestBody(Input):
    """What a client sends. Only requests are checked: what we answer was checked on its way in."""

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        """No text may hold U+0000 or a lone surrogate (`app/domain/text.py`)."""
        if unstorable_in(value):
            raise ValueError(UNSTORABLE_MESSAGE)
        return value


class Resource(BaseModel):
    id: str = Field(description="Opaque id, prefixed with the object's type and time-ordered.")
    created_at: datetime
    updated_at: datetime
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
