"""Route selection by index: the router tries only the routes that can match the path's first two
segments (or its only one), in their declared order, instead of every route of the application."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

Key = tuple[str, ...]
DEPTH = 2


def _literal_prefix(route: BaseRoute) -> Key | None:
    """The first two segments of a route's path (or its only one) when they are literal, else None."""
    if not isinstance(route, Route):
        return None
    segments = tuple(route.path.split("/")[1 : DEPTH + 1])
    if any("{" in s for s in segments):
        return None
    return segments


def _path_key(path: str) -> Key:
    return tuple(path.split("/", DEPTH + 1)[1 : DEPTH + 1])


class RouteIndex:
    """Installed as the router's own dispatch (`router.middleware_stack`): for a path whose first two
    segments name routes, those routes (and any whose prefix is not literal) are tried in declared
    order, which selects exactly the route the full scan would select. A path those routes take with
    other methods is a 405 naming all of them. Anything else (a 404, a trailing-slash redirect, a mount)
    goes through the router's full scan."""

    def __init__(self, router: Any) -> None:
        self.router = router
        self.fallback: ASGIApp = router.app
        self._version: object = None
        self._index: dict[Key, list[BaseRoute]] = {}

    def _build(self) -> dict[Key, list[BaseRoute]]:
        routes: list[BaseRoute] = list(self.router.routes)
        keys = {k for k in map(_literal_prefix, routes) if k is not None}
        return {key: [r for r in routes if _literal_prefix(r) in (key, None)] for key in keys}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            version = len(self.router.routes)
            if version != self._version:
                self._index, self._version = self._build(), version
            candidates = self._index.get(_path_key(scope["path"]))
            if candidates is not None:
                allowed: set[str] = set()
                for route in candidates:
                    match, child_scope = route.matches(scope)
                    if match is Match.FULL:
                        scope.update(child_scope)
                        scope["route"] = route  # as Starlette's router does (metrics and logs name it)
                        if "router" not in scope:
                            scope["router"] = self.router
                        await route.handle(scope, receive, send)
                        return
                    if match is Match.PARTIAL:  # the path, another method
                        allowed |= getattr(route, "methods", None) or set()
                if allowed:
                    # Every method the path takes, not only the first route's (Starlette's own answer).
                    methods = ", ".join(sorted((allowed | {"OPTIONS"}) - {"HEAD"}))
                    if scope["method"] == "OPTIONS":  # what the path takes, for a client or a console
                        await Response(status_code=204, headers={"Allow": methods})(scope, receive, send)
                        return
                    raise HTTPException(405, headers={"Allow": methods})
        await self.fallback(scope, receive, send)
