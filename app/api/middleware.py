"""The edge of every request: metrics and the access log by route template, the last-resort 500
(a problem document without a stack trace, logged with the request id), and the body-size limit."""

from __future__ import annotations

import json
import random
import time
from typing import Any

import structlog
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import PROBLEM_JSON, problem_body
from app.observability import Metrics

log = structlog.get_logger("liaison.http")


async def send_problem(send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps(problem_body(status, detail)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class EdgeMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        if "\x00" in scope["path"] or b"%00" in scope["query_string"]:
            # No id, external id or filter can hold U+0000 (PostgreSQL cannot store it): say so, on both engines.
            await send_problem(
                send, 400, "The URL contains a NUL character (%00), which no identifier or value can hold."
            )
            observe_request(self.metrics, scope, "<unmatched>", 400, started)
            return
        status = 500
        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                extra = scope.get("state", {}).get("response_headers")
                if extra:
                    message["headers"] = [
                        *message.get("headers", []),
                        *[(k.lower().encode(), v.encode()) for k, v in extra.items()],
                    ]
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            log.exception("unhandled_error", method=scope["method"], path=scope["path"])
            status = 500
            if not response_started:
                await send_problem(
                    send, 500, "Something went wrong on our side. The request id identifies it in our logs."
                )
        finally:
            self.metrics.in_flight.dec()
            observe_request(self.metrics, scope, _route_template(scope), status, started)


def new_request_id() -> str:
    """32 hex digits. A request id correlates log lines and is no secret: the process's random generator
    serves, without the system call per request that uuid4() makes."""
    return f"{random.getrandbits(128):032x}"


def request_id_ok(value: str) -> bool:
    """A request id sent by the client is kept when it is short and printable; otherwise we make one."""
    return 0 < len(value) <= 200 and value.isprintable()


def observe_request(metrics: Metrics, scope: Scope, route: str, status: int, started: float) -> None:
    """The metrics and the access-log line of one answered request."""
    elapsed = time.perf_counter() - started
    metrics.requests.labels(scope["method"], route, str(status)).inc()
    metrics.latency.labels(scope["method"], route).observe(elapsed)
    log.info(
        "request",
        method=scope["method"],
        route=route,
        path=scope["path"],
        status=status,
        duration_ms=round(elapsed * 1000, 2),
    )


def _route_template(scope: Scope) -> str:
    route: Any = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    if path:
        return str(scope.get("root_path", "")) + str(path)
    return "<unmatched>"


class BodyTooLarge(StarletteHTTPException):
    """An HTTPException, so that the framework's body parsing passes it on and it renders as a 413."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"The body is larger than {max_bytes} bytes.")


class BodyLimitMiddleware:
    """413 for a body over the limit, whether it declares its length or streams it. Bulk routes (the
    org-chart sync) have a larger limit of their own."""

    def __init__(self, app: ASGIApp, max_bytes: int, bulk_routes: dict[str, int] | None = None) -> None:
        self.app = app
        self.default_max = max_bytes
        self.bulk_routes = bulk_routes or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.bulk_routes.get(scope["path"], self.default_max)
        detail = f"The body is larger than {max_bytes} bytes."
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await send_problem(send, 400, "The Content-Length header is not a number.")
                    return
                if declared > max_bytes:
                    await send_problem(send, 413, detail, [(b"connection", b"close")])
                    return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    raise BodyTooLarge(max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await send_problem(send, 413, detail, [(b"connection", b"close")])
