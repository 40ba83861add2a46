"""What a route needs: the caller (a verified token), rate limiting, and the unit of work it runs in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import HTTPBearer, OAuth2

from app.auth.http import bearer_principal
from app.domain.principal import ALL_SCOPES, Principal
from app.repo.uow import SqlUnitOfWork

SCOPE_DESCRIPTIONS = {s: f"The `{s}` scope" for s in sorted(ALL_SCOPES)}

oauth2_client_credentials = OAuth2(
    flows=OAuthFlows(
        clientCredentials=OAuthFlowClientCredentials(tokenUrl="/v1/oauth/token", scopes=SCOPE_DESCRIPTIONS)
    ),
    scheme_name="OAuth2ClientCredentials",
    description="An API client's id and secret, traded at /v1/oauth/token for a bearer token.",
    auto_error=False,
)
bearer_jwt = HTTPBearer(
    scheme_name="BearerJWT",
    bearerFormat="JWT",
    auto_error=False,
    description="A JWT from /v1/oauth/token, `liaison token`, or your own identity provider.",
)


async def current_principal(
    request: Request,
    _oauth: Annotated[str | None, Security(oauth2_client_credentials)] = None,
    _bearer: Annotated[object, Depends(bearer_jwt)] = None,
) -> Principal:
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
