"""The caller of an HTTP request, for both transports: the bearer token, verified, then rate limited."""

from __future__ import annotations

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request

from app.domain.errors import MissingCredentials, Unauthenticated
from app.domain.principal import Principal


async def bearer_principal(request: Request) -> Principal:
    header = request.headers.get("authorization")
    if not header:
        raise MissingCredentials("No bearer token was sent.")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("The Authorization header must be `Bearer <token>`.")
    principal: Principal = await request.app.state.tokens.verify(token.strip())
    await enforce_rate_limit(request, principal)
    return principal


async def enforce_rate_limit(request: Request, principal: Principal) -> None:
    """Per client: the organization and the token's client (or subject). Headers go on every answer."""
    key = f"{principal.organization_id or '-'}:{principal.client_id or principal.subject}"
    allowed, headers, retry_after = await request.app.state.rate_limiter.hit(key)
    request.state.response_headers = {**getattr(request.state, "response_headers", {}), **headers}
    if not allowed:
        raise StarletteHTTPException(
            429, "Too many requests for this client; slow down.", headers={"Retry-After": str(retry_after)}
        )
