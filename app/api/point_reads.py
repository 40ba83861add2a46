"""The point-read lane: `GET /v1/units/{id}`, `/v1/people/{id}` and `/v1/memberships/{id}`, the reads
integrators make most, answered in front of the application's middleware stack, without FastAPI's
routing and dependency solving and without a session: one statement on a pooled driver connection.

It answers only the plain case: no query string and no body, a valid bearer token with the read scope,
within its rate limit, for an object of the token's organization. It answers with the route's own
response (`entity_response`) and does what the edge does for every answer: the request id, the
rate-limit headers, the metrics and the access-log line under the route's template. Everything else
falls through to the route, which stays the one place that renders 401, 403, 404, 429, `as_of` and
database errors. A request that falls through after the lane counted it against the rate limit carries
its principal, so the route does not count it twice.

`LIAISON_POINT_READ_LANE=false` leaves these reads to the routes; tests compare both, answer for answer."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import structlog
from asgi_correlation_id import correlation_id
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.conventions import entity_response
from app.api.middleware import new_request_id, observe_request, request_id_ok
from app.api.routers import org_chart
from app.auth.http import ESTABLISHED, rate_limit_key, verify_bearer
from app.auth.ratelimit import RateLimiter
from app.auth.tokens import TokenService
from app.domain.errors import DomainError
from app.domain.org_chart.service import OrgChart
from app.observability import Metrics
from app.repo.org_chart import MembershipRepository, PersonRepository, UnitRepository
from app.repo.point_reads import PointReads

log = structlog.get_logger("liaison.http")


@dataclass(frozen=True)
class PointRead:
    row: type[Any]
    entity: type[Any]
    route: str


def _template(endpoint: Any) -> str:
    """The route's path template, as metrics and logs name it."""
    return next(r.path_format for r in org_chart.router.routes if isinstance(r, APIRoute) and r.endpoint is endpoint)


COLLECTIONS = {
    "units": PointRead(UnitRepository.row, UnitRepository.entity, _template(org_chart.get_unit)),
    "people": PointRead(PersonRepository.row, PersonRepository.entity, _template(org_chart.get_person)),
    "memberships": PointRead(
        MembershipRepository.row, MembershipRepository.entity, _template(org_chart.get_membership)
    ),
}


class PointReadLane:
    def __init__(
        self, app: ASGIApp, *, reads: PointReads, tokens: TokenService, rate_limiter: RateLimiter, metrics: Metrics
    ) -> None:
        self.app = app
        self.reads = reads
        self.tokens = tokens
        self.rate_limiter = rate_limiter
        self.metrics = metrics

    @staticmethod
    def _match(scope: Scope) -> tuple[PointRead, str] | None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["query_string"] or scope.get("root_path"):
            return None
        path: str = scope["path"]
        if not path.startswith("/v1/"):
            return None
        collection, _, object_id = path[4:].partition("/")
        read = COLLECTIONS.get(collection)
        # The routes' `{id}` is one non-empty path segment.
        if read is None or not object_id or "/" in object_id or "\x00" in object_id:
            return None
        return read, object_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        matched = self._match(scope)
        if matched is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            headers.setdefault(name, value)
        if headers.get(b"content-length", b"0") != b"0" or b"transfer-encoding" in headers:
            await self.app(scope, receive, send)  # a body is the body limit's to judge
            return
        self.metrics.in_flight.inc()
        try:
            answer = await self._read(scope, headers, *matched)
            if answer is not None:
                await self._send(scope, send, headers, *answer)
        finally:
            self.metrics.in_flight.dec()
        if answer is None:
            await self.app(scope, receive, send)
            return
        observe_request(self.metrics, scope, matched[0].route, 200, started)

    async def _read(
        self, scope: Scope, headers: dict[bytes, bytes], read: PointRead, object_id: str
    ) -> tuple[Any, dict[str, str]] | None:
        """The object and the rate-limit headers, or None for the route to answer."""
        authorization = headers.get(b"authorization")
        try:
            principal = await verify_bearer(
                None if authorization is None else authorization.decode("latin-1"), self.tokens
            )
            organization_id = OrgChart.readable_organization(principal)
            allowed, limit_headers, _ = await self.rate_limiter.hit(rate_limit_key(principal))
            if not allowed:
                return None  # the route counts again, is refused again (a refusal counts for nothing): 429
            state = scope.setdefault("state", {})
            state[ESTABLISHED] = principal
            state["response_headers"] = {**state.get("response_headers", {}), **limit_headers}
            entity = await self.reads.get(read.row, read.entity, organization_id, object_id)
        except DomainError:
            return None
        except Exception as exc:
            # The route meets the same failure (the database, the limiter's store) and answers it as a problem.
            log.warning("point_read_lane_fell_through", path=scope["path"], error=type(exc).__name__)
            return None
        return None if entity is None else (entity, limit_headers)

    @staticmethod
    async def _send(
        scope: Scope, send: Send, headers: dict[bytes, bytes], entity: Any, limit_headers: dict[str, str]
    ) -> None:
        sent = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = sent if request_id_ok(sent) else new_request_id()
        correlation_id.set(request_id)
        response = entity_response(entity)
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": [
                    *response.raw_headers,
                    *[(k.lower().encode(), v.encode()) for k, v in limit_headers.items()],
                    (b"x-request-id", request_id.encode("latin-1")),
                ],
            }
        )
        await send({"type": "http.response.body", "body": response.body})
