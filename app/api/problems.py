"""RFC 9457 problem details for every error path, and the mapping of domain errors, done once."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.domain import errors as de
from app.repo.engine import is_rejected_value
from app.repo.repositories import names_a_missing_row

PROBLEM_JSON = "application/problem+json"

DOMAIN_STATUS: dict[type[de.DomainError], int] = {
    de.Invalid: 422,
    de.NotFound: 404,
    de.Conflict: 409,
    de.PreconditionFailed: 412,
    de.Unauthenticated: 401,
    de.Forbidden: 403,
    de.RateLimited: 429,
}

SLUGS = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    412: "precondition-failed",
    413: "content-too-large",
    415: "unsupported-media-type",
    422: "invalid-request",
    428: "precondition-required",
    429: "too-many-requests",
    500: "internal-error",
    503: "unavailable",
}


def problem_type(status: int) -> str:
    return f"urn:liaison:problem:{SLUGS.get(status, str(status))}"


def problem_body(
    status: int, detail: str, *, title: str | None = None, errors: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": problem_type(status),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    return body


def problem(
    status: int,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, detail, errors=errors, **extra),
        status_code=status,
        headers=headers,
        media_type=PROBLEM_JSON,
    )


def www_authenticate(detail: str | None) -> str:
    if detail is None:
        return 'Bearer realm="liaison"'
    safe = detail.replace('"', "'")
    return f'Bearer realm="liaison", error="invalid_token", error_description="{safe}"'


def domain_problem(exc: de.DomainError) -> JSONResponse:
    status = next((s for cls, s in DOMAIN_STATUS.items() if isinstance(exc, cls)), 400)
    headers = None
    if isinstance(exc, de.Unauthenticated):
        headers = {"WWW-Authenticate": www_authenticate(None if isinstance(exc, de.MissingCredentials) else exc.detail)}
    if isinstance(exc, de.RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
    errors = None
    if isinstance(exc, de.Invalid):
        errors = [{"field": e.field, "message": e.message, "code": e.code} for e in exc.errors]
    elif exc.field is not None:
        errors = [{"field": exc.field, "message": exc.detail, "code": exc.problem}]
    return problem(status, exc.detail, headers=headers, errors=errors)


# Schema validation speaks the domain's words, so that one bad input gets one code over REST and GraphQL
# (which validates in the domain): a missing field is `required`, a field the body may not carry
# `unknown_field`, any other broken constraint (type, length, choice, format, range) `invalid`.
VALIDATION_CODES = {"missing": "required", "extra_forbidden": "unknown_field"}


def _pointer(loc: tuple[Any, ...]) -> tuple[str, str]:
    where = str(loc[0]) if loc else "body"
    rest = loc[1:] if loc and loc[0] in ("body", "query", "path", "header", "cookie") else loc
    return where, "/" + "/".join(str(p) for p in rest)


def validation_problem(exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        detail = next((e.get("ctx", {}).get("error") for e in errors if e.get("type") == "json_invalid"), None)
        return problem(400, f"The body is not valid JSON{': ' + str(detail) if detail else ''}.")
    out = []
    for e in errors:
        where, pointer = _pointer(tuple(e.get("loc", ())))
        out.append(
            {
                "field": pointer,
                "in": where,
                "message": e.get("msg", "invalid"),
                "code": VALIDATION_CODES.get(e.get("type", ""), "invalid"),
            }
        )
    return problem(422, "The request has invalid fields.", errors=out)


TRANSIENT_SQLSTATES = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available


def is_transient(exc: DBAPIError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(getattr(exc.orig, "__cause__", None), "sqlstate", None)
    if sqlstate in TRANSIENT_SQLSTATES:
        return True
    return "database is locked" in str(exc.orig)  # SQLite, after its busy timeout


@dataclass(frozen=True)
class DatabaseRefusal:
    """What a database error says to the caller, whatever the transport (REST, SCIM)."""

    kind: str  # collision | rejected_value | missing_row | duplicate
    detail: str
    headers: dict[str, str] | None = None


def database_refusal(exc: DBAPIError) -> DatabaseRefusal | None:
    """A deadlock, a serialization failure or a lock timeout is a collision with a concurrent change:
    nothing was changed and the request can be retried; a value the column cannot hold, a row named that a
    concurrent change deleted, a uniqueness a concurrent change took first are the caller's to know. None:
    anything else, our fault (a 500)."""
    if is_transient(exc):
        return DatabaseRefusal("collision", "The change collided with a concurrent one and was not made; retry it.",
                               {"Retry-After": "1"})  # fmt: skip
    if is_rejected_value(exc):
        return DatabaseRefusal(
            "rejected_value", "A value in the request cannot be stored (out of range or an invalid character)."
        )
    if isinstance(exc, IntegrityError) and names_a_missing_row(exc):
        return DatabaseRefusal("missing_row", "An object the change names was deleted meanwhile, or one still names"
                               " what it removes; nothing was changed.")  # fmt: skip
    if isinstance(exc, IntegrityError):
        return DatabaseRefusal("duplicate", "The change conflicts with data that exists (a duplicate); nothing was"
                               " changed.")  # fmt: skip
    return None


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def _http(req: Request, exc: StarletteHTTPException) -> Response:
        from app.api.scim.errors import from_exception, is_scim

        if is_scim(req.url.path):  # SCIM's own error shape, a route or a method it lacks included
            return from_exception(exc)
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if exc.status_code == 404 and detail == "Not Found":
            detail = "No such route."
        if exc.status_code == 405:
            detail = "This route does not take that method."
        return problem(exc.status_code, detail, headers=dict(exc.headers or {}) or None)

    @app.exception_handler(RequestValidationError)
    async def _validation(_req: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_problem(exc)

    @app.exception_handler(de.DomainError)
    async def _domain(_req: Request, exc: de.DomainError) -> JSONResponse:
        return domain_problem(exc)

    @app.exception_handler(DBAPIError)
    async def _database(_req: Request, exc: DBAPIError) -> JSONResponse:
        refusal = database_refusal(exc)
        if refusal is None:
            raise exc
        return problem(422 if refusal.kind == "rejected_value" else 409, refusal.detail, headers=refusal.headers)
