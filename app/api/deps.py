"""What a route needs: the caller (a verified token), rate limiting, and the unit of work it runs in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from app.auth.http import bearer_principal
from app.domain.principal import ALL_SCOPES, Principal
from app.repo.uow import SqlUnitOfWork

SCOPE_DESCRIPTIONS: dict[str, str] = {s: f"The `{s}` scope" for s in sorted(ALL_SCOPES)}

# Declared in the OpenAPI document (the console's Authorize button), not run per request: the bearer
# token is read once, by current_principal.
SECURITY_SCHEMES = {
    "OAuth2ClientCredentials": {
        "type": "oauth2",
        "description": "An API client's id and secret, traded at /v1/oauth/token for a bearer token.",
        "flows": {"clientCredentials": {"tokenUrl": "/v1/oauth/token", "scopes": SCOPE_DESCRIPTIONS}},
    },
    "BearerJWT": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A JWT from /v1/oauth/token, `liaison token`, or your own identity provider.",
    },
}
SECURITY: list[dict[str, list[str]]] = [{"OAuth2ClientCredentials": []}, {"BearerJWT": []}]


async def current_principal(request: Request) -> Principal:
    return await bearer_principal(request)


Caller = Annotated[Principal, Depends(current_principal)]


async def unit_of_work(request: Request, principal: Caller) -> AsyncIterator[SqlUnitOfWork]:
    """The request's one transaction: committed when the route returns, rolled back when it raises."""
    write = request.method not in ("GET", "HEAD", "OPTIONS")
    async with request.app.state.db.unit_of_work(principal.organization_id, write=write) as uow:
        yield uow
        if write:
            await uow.commit()


UoW = Annotated[SqlUnitOfWork, Depends(unit_of_work, scope="function")]
