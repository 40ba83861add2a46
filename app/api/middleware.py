"""The edge of every request, in one layer: the request id, the body-size limit, metrics and the access
log by route template, and the last-resort 500 (a problem document without a stack trace, logged with
the request id)."""

from __future__ import annotations

import json
import random
import re
import time
from typing import Any

import structlog
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import PROBLEM_JSON, problem_body
from app.api.scim.errors import SCIM_JSON, is_scim, scim_error_body
from app.observability import Metrics, request_id

log = structlog.get_logger("liaison.http")


async def send_problem(
    send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None, path: str = ""
) -> None:
    """A problem document; under /scim/v2, SCIM's error (identity providers read no other shape)."""
    scim = is_scim(path)
    body = json.dumps(scim_error_body(status, detail) if scim else problem_body(status, detail)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", (SCIM_JSON if scim else PROBLEM_JSON).encode()),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class EdgeMiddleware:
    """One layer for what every request needs at the edge: the request id (kept from `X-Request-ID` when
    it is short and printable, else made; echoed on the answer and on every log line), the body-size
    limit (bulk routes have their own), the rate-limit headers a route left, the last-resort 500, the
    metrics and the access-log line by route template."""

    def __init__(
        self, app: ASGIApp, metrics: Metrics, max_bytes: int, bulk_routes: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.default_max = max_bytes
        self.bulk_routes = bulk_routes or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid: str | None = None
        declared: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                rid = value.decode("latin-1")
            elif name == b"content-length":
                declared = value
        if rid is None or not request_id_ok(rid):
            rid = new_request_id()
        token = request_id.set(rid)
        rid_header = (b"x-request-id", rid.encode("latin-1"))
        max_bytes = self.bulk_routes.get(scope["path"], self.default_max)
        try:
            refusal = _refusal(scope, declared, max_bytes)
            if refusal is not None:
                status, detail, extra = refusal
                await send_problem(send, status, detail, [rid_header, *extra], scope["path"])
                observe_request(self.metrics, scope, "<unmatched>", status, started)
                return
            await self._serve(scope, receive, send, rid_header, started, max_bytes)
        finally:
            request_id.reset(token)

    async def _serve(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        rid_header: tuple[bytes, bytes],
        started: float,
        max_bytes: int,
    ) -> None:
        status = 500
        response_started = False
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    raise BodyTooLarge(max_bytes)
            return message

        async def edge_send(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = [*message.get("headers", ()), rid_header]
                extra = scope.get("state", {}).get("response_headers")
                if extra:
                    headers.extend((k.lower().encode(), v.encode()) for k, v in extra.items())
                message["headers"] = headers
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self.app(scope, limited_receive, edge_send)
        except BodyTooLarge:
            status = 413
            if not response_started:
                detail = f"The body is larger than {max_bytes} bytes."
                await send_problem(send, 413, detail, [rid_header, (b"connection", b"close")], scope["path"])
        except Exception:
            log.exception("unhandled_error", method=scope["method"], path=logged_path(scope["path"]))
            status = 500
            if not response_started:
                await send_problem(
                    send,
                    500,
                    "Something went wrong on our side. The request id identifies it in our logs.",
                    [rid_header],
                    scope["path"],
                )
        finally:
            self.metrics.in_flight.dec()
            observe_request(self.metrics, scope, _route_template(scope), status, started)


def _refusal(scope: Scope, declared: bytes | None, max_bytes: int) -> tuple[int, str, list[tuple[bytes, bytes]]] | None:
    """What is refused before any route runs: a NUL in the URL (no id, external id or filter can hold
    U+0000, and PostgreSQL cannot store it), a Content-Length that is no number or over the limit."""
    if "\x00" in scope["path"] or b"%00" in scope["query_string"]:
        return 400, "The URL contains a NUL character (%00), which no identifier or value can hold.", []
    if declared is not None:
        try:
            length = int(declared)
        except ValueError:
            return 400, "The Content-Length header is not a number.", []
        if length > max_bytes:
            return 413, f"The body is larger than {max_bytes} bytes.", [(b"connection", b"close")]
    return None


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
        path=logged_path(scope["path"]),
        status=status,
        duration_ms=round(elapsed * 1000, 2),
    )


# Credentials that travel in a URL (calendar apps cannot send a header): never written to a log line,
# whichever route the request meets or misses.
URL_CREDENTIAL = re.compile(r"lcf_.*", re.IGNORECASE | re.DOTALL)  # to the path's end


def logged_path(path: str) -> str:
    return URL_CREDENTIAL.sub("lcf_…", path)


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
