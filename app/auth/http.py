"""The caller of an HTTP request, for both transports: the bearer token, verified, then rate limited."""

from __future__ import annotations

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request

from app.auth.tokens import TokenService
from app.domain.errors import MissingCredentials, RateLimited, Unauthenticated
from app.domain.principal import Principal

# The request's caller, once verified and counted: a route's dependencies and GraphQL's context share it.
ESTABLISHED = "principal"


async def verify_bearer(header: str | None, tokens: TokenService) -> Principal:
    """The principal of an `Authorization: Bearer <JWT>` header; Unauthenticated when there is none."""
    if not header:
        raise MissingCredentials("No bearer token was sent.")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("The Authorization header must be `Bearer <token>`.")
    return await tokens.verify(token.strip())


def rate_limit_key(principal: Principal) -> str:
    """Per client: the organization and the token's client (or subject)."""
    return f"{principal.organization_id or '-'}:{principal.client_id or principal.subject}"


async def bearer_principal(request: Request) -> Principal:
    established = getattr(request.state, ESTABLISHED, None)
    if isinstance(established, Principal):
        return established
    principal = await verify_bearer(request.headers.get("authorization"), request.app.state.tokens)
    await request.app.state.standing.check(principal)
    await enforce_rate_limit(request, principal)
    setattr(request.state, ESTABLISHED, principal)
    return principal


async def _hit(request: Request, principal: Principal, cost: int) -> tuple[bool, int]:
    """`cost` hits of the caller's rate limit; its headers go on the answer. (allowed, retry after s)"""
    allowed, headers, retry_after = await request.app.state.rate_limiter.hit(rate_limit_key(principal), cost)
    request.state.response_headers = {**getattr(request.state, "response_headers", {}), **headers}
    return allowed, retry_after


async def enforce_rate_limit(request: Request, principal: Principal) -> None:
    """Headers go on every answer."""
    allowed, retry_after = await _hit(request, principal, 1)
    if not allowed:
        raise StarletteHTTPException(
            429, "Too many requests for this client; slow down.", headers={"Retry-After": str(retry_after)}
        )


async def charge(request: Request, weight: int) -> None:
    """Hits beyond the request's own, for work that weighs more than one request (app/domain/usage.py),
    counted before the work is done; RateLimited (429) when the caller's share has no room for them."""
    principal = getattr(request.state, ESTABLISHED, None)
    if weight <= 0 or not isinstance(principal, Principal):
        return
    allowed, retry_after = await _hit(request, principal, weight)
    if not allowed:
        raise RateLimited(
            f"This request weighs {weight + 1} hits of the rate limit, more than is left for this client; "
            f"retry in {retry_after} s.",
            retry_after,
        )
