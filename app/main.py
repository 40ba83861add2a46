"""create_app(): middleware, routers, /graphql, error handlers. Wiring only."""

from __future__ import annotations

import asyncio
import copy
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.middleware.asyncexitstack import AsyncExitStackMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.types import ASGIApp

from app.api import problems
from app.api.deps import SECURITY, SECURITY_SCHEMES, LiaisonRoute, current_principal
from app.api.middleware import EdgeMiddleware
from app.api.openapi import finish as finish_document
from app.api.routers import (
    api_clients,
    calendars,
    collaboration,
    events,
    feedback,
    handoffs,
    oauth,
    objectives,
    ops,
    org_chart,
    organizations,
    roles,
    webhooks,
)
from app.api.routing import RouteIndex
from app.api.schemas.webhooks import WebhookPayload
from app.api.scim import discovery as scim_discovery
from app.api.scim import routes as scim
from app.auth.ratelimit import RateLimiter
from app.auth.standing import Standing
from app.auth.tokens import TokenService
from app.domain.clock import set_clock_offset
from app.domain.events import CATALOGUE
from app.graphql.context import get_context
from app.graphql.ide import LiaisonGraphQLRouter
from app.graphql.schema import build_schema
from app.observability import Metrics
from app.repo.engine import make_engine
from app.repo.migrate import head_revision
from app.repo.uow import Database
from app.settings import Settings, get_settings
from app.worker.delivery import DeliveryWorker
from app.worker.metrics import WorkerMetrics
from app.worker.scheduler import Scheduler

STATIC = Path(__file__).parent / "static"

DESCRIPTION = """\
Liaison is a headless collaboration API: the org chart, roles, shared objectives, handoffs between
departments and feedback, over REST and GraphQL (`/graphql`), with webhooks.

**Authentication.** Every `/v1` route takes `Authorization: Bearer <JWT>`. Get a token with
*Authorize* → `OAuth2ClientCredentials` (an API client's id and secret), from `liaison token` in
development, or from your own identity provider (RS256, ES256, EdDSA).

**Conventions.** Lists answer `{"data": [...], "next_cursor": ...}` and take `limit` (≤ 200),
`cursor`, `updated_since` and `external_ref=system:id`. `GET` of one object sends an `ETag`;
`PATCH` (JSON merge patch) and `DELETE` honour `If-Match` (412 when stale). `POST` honours
`Idempotency-Key` for 24 h. Errors are RFC 9457 `application/problem+json`. Rate limits are per client,
announced by the `RateLimit-*` headers; over the limit, 429 with `Retry-After`.
"""


class LiaisonAPI(FastAPI):
    """The application: every request goes through the same middleware and its route."""

    def build_middleware_stack(self) -> ASGIApp:
        """FastAPI's stack without three layers this application does not use: Starlette's last-resort
        500 (the edge middleware answers those, as a problem document with the request id), FastAPI's
        OpenTelemetry exception layer (telemetry is off) and its body limit (the edge enforces ours).
        The router finds a request's route through an index rather than by trying every route."""
        self.router.middleware_stack = RouteIndex(self.router)
        handlers = {k: v for k, v in self.exception_handlers.items() if k not in (500, Exception)}
        middleware = [
            *self.user_middleware,
            Middleware(ExceptionMiddleware, handlers=handlers, debug=self.debug),
            Middleware(AsyncExitStackMiddleware),  # FastAPI's routes require its stack in the scope
        ]
        app: ASGIApp = self.router
        for cls, args, kwargs in reversed(middleware):
            app = cls(app, *args, **kwargs)
        return app


def _document_security(app: FastAPI) -> None:
    """The document declares the two ways to authenticate (the console's Authorize button uses them)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                webhooks=app.webhooks.routes,
            )
            schema.setdefault("components", {})["securitySchemes"] = copy.deepcopy(SECURITY_SCHEMES)
            app.openapi_schema = finish_document(schema, app.routes)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _version() -> str:
    """The package's version, which the API document carries too (CHANGELOG.md says how it moves)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("liaison")
    except PackageNotFoundError:
        return "1.0.0"


def _with_security(router: APIRouter) -> APIRouter:
    """Each route that takes the caller says so in the document."""
    for route in router.routes:
        if isinstance(route, APIRoute) and _takes_caller(route):
            route.openapi_extra = {**(route.openapi_extra or {}), "security": SECURITY}
    return router


def _takes_caller(route: APIRoute) -> bool:
    if isinstance(route, LiaisonRoute) and route.takes_unit_of_work:
        return True
    pending = list(route.dependant.dependencies)
    while pending:
        dep = pending.pop()
        if dep.call is current_principal:
            return True
        pending.extend(dep.dependencies)
    return False


def _declare_webhooks(app: FastAPI) -> None:
    """The document's top-level `webhooks`: every event type, its payload and the three headers."""
    headers = [
        {
            "name": "webhook-id",
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": "The event's id: the same on every retry of this message.",
            "example": "evt_01J9Z3Q4K6W8X2Y5V7T9R1M3N5",
        },
        {
            "name": "webhook-timestamp",
            "in": "header",
            "required": True,
            "schema": {"type": "integer"},
            "description": "Seconds since the epoch when this attempt was signed.",
            "example": 1772443800,
        },
        {
            "name": "webhook-signature",
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": "`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` with the endpoint's secret; "
            "during a rotation two signatures, space-separated.",
            "example": "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
        },
    ]
    for event_type in [*CATALOGUE, "ping"]:
        description = CATALOGUE[event_type].description if event_type in CATALOGUE else "Sent by POST …/test."

        def receiver(payload: WebhookPayload) -> None:
            """Answer 2xx to acknowledge; anything else is retried."""

        app.webhooks.add_api_route(
            event_type,
            receiver,
            methods=["POST"],
            summary=event_type,
            description=description,
            openapi_extra={"parameters": headers},
            status_code=204,
        )


def create_app(settings: Settings | None = None, *, with_worker: bool = False) -> LiaisonAPI:
    """`with_worker`: deliver webhooks from this process too (what `liaison serve` does by default)."""
    settings = settings or get_settings()
    set_clock_offset(settings.clock_offset_seconds)
    engine = make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
    )
    db = Database(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # What exists at startup (modules, schemas, the app) lives as long as the process: moved out of the
        # collector's reach, so that a request that makes thousands of objects does not make the collector
        # walk all of them again (it cost a fifth of a large GraphQL read).
        gc.collect()
        gc.freeze()
        stop = asyncio.Event()
        workers = []
        if with_worker:
            workers.append(asyncio.create_task(DeliveryWorker(db, settings, app.state.worker_metrics).run(stop)))
            workers.append(asyncio.create_task(Scheduler(db, settings).run(stop)))
        try:
            yield
        finally:
            stop.set()
            for worker in workers:
                await worker
            await db.dispose()

    app = LiaisonAPI(
        title="Liaison API",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        swagger_ui_oauth2_redirect_url=None,
        # Our own metrics (/metrics) and JSON logs observe every request; FastAPI's OpenTelemetry layer
        # would count them twice, and asks the global providers whether it is on at every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.db = db
    app.state.tokens = TokenService(settings)
    app.state.standing = Standing(db, settings.revocation_poll_seconds)
    app.state.rate_limiter = RateLimiter(settings.rate_limit, settings.rate_limit_storage)
    app.state.token_limiters = (
        RateLimiter(settings.token_rate_limit_per_client, settings.rate_limit_storage),
        RateLimiter(settings.token_rate_limit_per_address, settings.rate_limit_storage),
    )
    app.state.metrics = Metrics()
    app.state.worker_metrics = WorkerMetrics(app.state.metrics.registry)
    app.state.schema_head = head_revision()

    if settings.cors_origins:  # a browser integration: its origins, and the headers the API reads and sends
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Request-ID"],
            expose_headers=[
                "ETag",
                "Location",
                "Retry-After",
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
                "X-Request-ID",
                "Idempotent-Replayed",
            ],
            max_age=600,
        )
    app.add_middleware(
        EdgeMiddleware,
        metrics=app.state.metrics,
        max_bytes=settings.max_body_bytes,
        bulk_routes={"/v1/sync/org-chart": settings.sync_max_body_bytes},
    )

    problems.install(app)
    # Each module's routes carry their full path: they join the application's router as they are, so
    # that a request meets its route directly (an included router would be one more level of matching).
    app.router.routes.extend(_with_security(organizations.me_router).routes)
    for module in (
        ops,
        organizations,
        api_clients,
        oauth,
        events,
        org_chart,
        roles,
        objectives,
        handoffs,
        feedback,
        webhooks,
    ):
        app.router.routes.extend(_with_security(module.router).routes)
    app.router.routes.extend(_with_security(calendars.router).routes)
    app.router.routes.extend(_with_security(collaboration.router).routes)
    app.router.routes.extend(calendars.public.routes)  # the URL is the credential: no bearer token
    app.router.routes.extend(scim.router.routes)
    app.router.routes.extend(
        scim_discovery.router.routes
    )  # SCIM's own discovery describes it, not the OpenAPI document

    _document_security(app)
    _declare_webhooks(app)
    graphql = LiaisonGraphQLRouter(
        build_schema(settings.graphql_max_depth, settings.graphql_max_aliases, settings.graphql_max_tokens),
        context_getter=get_context,
        graphql_ide="graphiql",
        multipart_uploads_enabled=False,
        path="/graphql",
    )
    for route in graphql.routes:
        route.include_in_schema = False  # type: ignore[attr-defined]
    app.router.routes.extend(graphql.routes)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
