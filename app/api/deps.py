"""What a route needs: the caller (a verified token), rate limiting, and the unit of work it runs in."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute

from app.auth.http import bearer_principal
from app.domain.principal import SCOPES, Principal
from app.repo.uow import SqlUnitOfWork

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
SCOPE_DESCRIPTIONS: dict[str, str] = {scope: SCOPES[scope] for scope in sorted(SCOPES)}

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


class _UnitOfWorkParameter:
    """The marker of a route parameter that receives the request's unit of work (`uow: UoW`)."""


UOW_PARAMETER = _UnitOfWorkParameter()
UoW = Annotated[SqlUnitOfWork, UOW_PARAMETER]
_current: ContextVar[SqlUnitOfWork] = ContextVar("liaison_unit_of_work")


async def run_in_unit_of_work(request: Request, handler: Handler) -> Response:
    """The request's one transaction, around the route: the caller is authenticated first (before the
    body is read), the route runs, and the unit of work commits when it returns (a write) or rolls back
    when it raises."""
    principal = await bearer_principal(request)
    write = request.method not in ("GET", "HEAD", "OPTIONS")
    async with request.app.state.db.unit_of_work(principal.organization_id, write=write, caller=principal) as uow:
        token = _current.set(uow)
        try:
            response = await handler(request)
        finally:
            _current.reset(token)
        if write:
            await uow.commit()
    return response


def _uow_parameter(endpoint: Callable[..., Any]) -> tuple[str | None, inspect.Signature]:
    signature = inspect.signature(endpoint, eval_str=True)
    for name, param in signature.parameters.items():
        if UOW_PARAMETER in getattr(param.annotation, "__metadata__", ()):
            return name, signature.replace(parameters=[p for p in signature.parameters.values() if p.name != name])
    return None, signature


class LiaisonRoute(APIRoute):
    """A route whose endpoint takes `uow: UoW` runs in the request's unit of work, handed to it
    directly: the framework resolves the endpoint's own parameters (path, query, body) and nothing per
    request for the unit of work or the caller (`uow.caller`)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        name, signature = _uow_parameter(endpoint)
        self.takes_unit_of_work = name is not None
        if name is not None:
            endpoint = _with_unit_of_work(endpoint, name, signature)
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        if not self.takes_unit_of_work:
            return handler

        async def in_unit_of_work(request: Request) -> Response:
            return await run_in_unit_of_work(request, handler)

        return in_unit_of_work


def _with_unit_of_work(endpoint: Callable[..., Any], name: str, signature: inspect.Signature) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    async def call(**values: Any) -> Any:
        return await endpoint(**values, **{name: _current.get()})

    call.__signature__ = signature  # type: ignore[attr-defined]
    return call
