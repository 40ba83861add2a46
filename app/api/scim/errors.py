"""Errors in SCIM's own shape (RFC 7644 §3.12): `{"schemas": [Error], "status": "409", "scimType":
"uniqueness", "detail": "…"}` with the same HTTP status, for every answer under /scim/v2 that is no success
(a bad token, a route that does not exist, a method a route does not take included)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from scim2_models import Error, SCIMException
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.api.problems import DOMAIN_STATUS, database_refusal, www_authenticate
from app.domain import errors as de

SCIM_JSON = "application/scim+json"
PREFIX = "/scim/v2"

# The domain's field names as SCIM names them, so that an error points at what the provider sent.
SCIM_NAMES = {
    "/given_name": "name.givenName",
    "/family_name": "name.familyName",
    "/email": "emails",
    "/user_name": "userName",
    "/title": "title",
    "/manager_id": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
    "/status": "active",
    "/name": "displayName",
    "/external_refs": "externalId",
}
_STATUS = {**DOMAIN_STATUS, de.Invalid: 400}  # SCIM answers a bad value 400 (invalidValue), not 422


def is_scim(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def scim_json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body, separators=(",", ":")), status, headers=headers, media_type=SCIM_JSON)


def scim_error_body(status: int, detail: str, scim_type: str | None = None) -> dict[str, Any]:
    # pydantic's messages end with a link to its own documentation, which says nothing to a provider
    detail = " ".join(x.strip() for x in detail.splitlines() if x.strip() and not x.strip().startswith("For further"))
    body: dict[str, Any] = Error(status=status, scim_type=scim_type, detail=detail).model_dump()
    return body


def scim_error(
    status: int, detail: str, scim_type: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    return scim_json(scim_error_body(status, detail, scim_type), status, headers)


def _field(pointer: str | None) -> str:
    if not pointer:
        return ""
    head = "/" + pointer.strip("/").split("/")[0]
    return SCIM_NAMES.get(head, pointer.strip("/"))


def from_exception(exc: BaseException) -> Response:
    """The SCIM error for anything a SCIM route raises that is not our fault; others are re-raised."""
    if isinstance(exc, de.DomainError):
        status = next((s for cls, s in _STATUS.items() if isinstance(exc, cls)), 400)
        headers: dict[str, str] | None = None
        if isinstance(exc, de.Unauthenticated):
            missing = isinstance(exc, de.MissingCredentials)
            headers = {"WWW-Authenticate": www_authenticate(None if missing else exc.detail)}
        if isinstance(exc, de.RateLimited):
            headers = {"Retry-After": str(exc.retry_after)}
        detail = exc.detail
        if isinstance(exc, de.Invalid) and exc.errors:
            detail = "; ".join(f"{_field(e.field)}: {e.message}" if e.field else e.message for e in exc.errors)
        scim_type = None
        if isinstance(exc, de.Invalid):
            scim_type = "invalidValue"
        elif isinstance(exc, de.Conflict) and (exc.field or "").startswith(("/email", "/user_name", "/external_refs")):
            scim_type = "uniqueness"
            detail = f"{_field(exc.field)}: {exc.detail}"
        return scim_error(status, detail, scim_type, headers)
    if isinstance(exc, SCIMException):
        return scim_error(exc.status, str(exc.detail or exc), exc.scim_type or None)
    if isinstance(exc, ValidationError):
        return validation_error(exc)
    if isinstance(exc, StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else "The request was refused."
        if exc.status_code == 404:
            detail = "No such SCIM endpoint."
        elif exc.status_code == 405:
            detail = "This SCIM endpoint does not take that method."
        return scim_error(exc.status_code, detail, headers=dict(exc.headers or {}) or None)
    refusal = database_refusal(exc) if isinstance(exc, DBAPIError) else None
    if refusal is not None:
        status, scim_type = {"rejected_value": (400, "invalidValue"), "duplicate": (409, "uniqueness")}.get(
            refusal.kind, (409, None)
        )
        return scim_error(status, refusal.detail, scim_type, refusal.headers)
    raise exc


def validation_error(exc: ValidationError) -> Response:
    """scim2-models names the SCIM error of each failure in its type (`scim_invalidPath`, …)."""
    problems = exc.errors()
    scim_type = "invalidValue"
    for problem in problems:
        kind = str(problem.get("type", ""))
        if kind.startswith("scim_"):
            scim_type = kind.removeprefix("scim_")
            break
        if kind in ("missing", "required_error") or kind.endswith("required"):
            scim_type = "invalidValue"
    parts = []
    for problem in problems:
        where = ".".join(str(p) for p in problem.get("loc", ()) if p != "body")
        parts.append(f"{where}: {problem.get('msg')}" if where else str(problem.get("msg")))
    return scim_error(400, "; ".join(parts) or "The request is not valid SCIM.", scim_type)
