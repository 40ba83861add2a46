from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

ExternalRefs = dict[str, str]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequestBody(Input):
    """What a client sends. Only requests are checked: what we answer was checked on its way in."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        """No text may hold U+0000: PostgreSQL cannot store it, and no identifier or name needs it."""
        if _holds_nul(value):
            raise ValueError("Text must not contain the NUL character (U+0000).")
        return value


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(_holds_nul(v) for v in value)
    return False


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
