from __future__ import annotations

import base64
import binascii
from typing import Annotated
from urllib.parse import unquote

from fastapi import APIRouter, Form, Request, Response

from app.api.conventions import Json
from app.api.deps import LiaisonRoute
from app.api.problems import problem
from app.api.schemas.common import PROBLEM_RESPONSES
from app.api.schemas.platform import TokenResponse
from app.domain.api_clients.service import grant_client_credentials
from app.domain.errors import Forbidden, Unauthenticated

router = APIRouter(route_class=LiaisonRoute, prefix="/v1/oauth", tags=["OAuth"])


def _oauth_error(status: int, error: str, detail: str) -> Response:
    """RFC 6749 error codes, inside an RFC 9457 problem document."""
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="liaison"'
    return problem(status, detail, headers=headers, error=error, error_description=detail)


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (unquote(user), unquote(password)) if sep else None


async def _throttled(request: Request, client_id: str) -> Response | None:
    """Every attempt is counted before any credential is looked up, per client id and per address, so
    that guessing secrets costs the guesser, not the database (LIAISON_TOKEN_RATE_LIMIT_PER_*)."""
    per_client, per_address = request.app.state.token_limiters
    address = request.client.host if request.client else "-"
    for limiter, key in ((per_client, f"client:{client_id[:100]}"), (per_address, f"address:{address}")):
        allowed, _headers, retry_after = await limiter.hit(key)
        if not allowed:
            return problem(
                429,
                f"Too many token requests; retry in {retry_after} s.",
                headers={"Retry-After": str(retry_after), "Cache-Control": "no-store"},
                error="slow_down",
                error_description="Too many token requests.",
            )
    return None


@router.post(
    "/token",
    response_model=TokenResponse,
    responses={400: PROBLEM_RESPONSES[400], 401: PROBLEM_RESPONSES[401], 429: PROBLEM_RESPONSES[429]},
    summary="Trade an API client's credentials for a token (OAuth 2.0 client credentials)",
)
async def token(
    request: Request,
    grant_type: Annotated[str, Form()],
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
    scope: Annotated[str | None, Form()] = None,
) -> Response:
    """The credentials go in the form or in HTTP Basic authentication (RFC 6749 §2.3.1)."""
    if grant_type != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.")
    basic = _basic_credentials(request)
    if basic:
        client_id, client_secret = basic
    if not client_id or not client_secret:
        return _oauth_error(401, "invalid_client", "Send client_id and client_secret.")
    throttled = await _throttled(request, client_id)
    if throttled is not None:
        return throttled
    async with request.app.state.db.system_unit_of_work() as uow:
        try:
            creds, scopes = await grant_client_credentials(uow.credentials, client_id, client_secret, scope)
        except Unauthenticated as exc:
            return _oauth_error(401, "invalid_client", exc.detail)
        except Forbidden as exc:
            return _oauth_error(400, "invalid_scope", exc.detail)
    ttl = request.app.state.settings.access_token_ttl_seconds
    access_token = request.app.state.tokens.mint(
        subject=creds.client_id,
        organization_id=creds.organization_id,
        scopes=scopes,
        ttl=ttl,
        client_id=creds.client_id,
    )
    body = {"access_token": access_token, "token_type": "Bearer", "expires_in": ttl, "scope": " ".join(scopes)}
    return Json(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
