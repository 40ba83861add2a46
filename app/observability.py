"""Structured JSON logs that carry the request id, and the Prometheus metrics of the service."""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from contextvars import ContextVar
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
"""The id of the request being served (set by the edge middleware), on every log line it causes."""


def _add_request_id(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    rid = request_id.get()
    if rid and "request_id" not in event:
        event["request_id"] = rid
    return event


class _StderrLine:
    """Where our own log lines go: one write of the rendered line to whatever `sys.stderr` is at that
    moment (so that a test capturing stderr sees it). structlog calls the method named after the level."""

    __slots__ = ("name",)

    def __init__(self, name: str | None) -> None:
        self.name = name

    def msg(self, message: str) -> None:
        try:
            stream = sys.stderr
            stream.write(message + "\n")
            stream.flush()
        except (OSError, ValueError):
            pass  # stderr closed or a broken pipe: the line is lost, the request is not

    debug = info = warning = warn = error = err = critical = exception = fatal = failure = log = msg


def _add_logger_name(logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    name = getattr(logger, "name", None)
    if name:
        event.setdefault("logger", name)
    return event


def configure_logging(level: str = "INFO", json_logs: bool = True) -> None:
    """Our loggers (`structlog.get_logger("liaison.…")`) render straight to stderr: the access log is
    written once per request, and through the standard library's records, handlers and formatter it cost
    more than the point read it describes. Other libraries' logs (uvicorn, SQLAlchemy, …) go through the
    standard library and come out the same shape."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_request_id,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json_logs
        # A plain traceback: the rich one shows local variables, bearer tokens among them.
        else structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
    )
    structlog.configure(
        processors=[
            *shared[:2],
            _add_logger_name,
            *shared[2:],
            structlog.processors.format_exc_info,
            renderer,
        ],
        logger_factory=lambda *args: _StderrLine(args[0] if args else None),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level]),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared[:2], structlog.stdlib.add_logger_name, *shared[2:]],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Our own access line carries the request id and the route; uvicorn's would repeat it without them.
    logging.getLogger("uvicorn.access").disabled = True
    # httpx logs each request's URL at INFO: a chat webhook's URL is a credential, and the attempts log
    # already says what was sent where (masked).
    logging.getLogger("httpx").setLevel(max(logging.getLevelNamesMapping()[level], logging.WARNING))


class Metrics:
    """One registry per application, so that several apps (tests) never share counters."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "liaison_http_requests_total",
            "HTTP requests by route template, method and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "liaison_http_request_duration_seconds",
            "HTTP request latency by route template.",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.in_flight = Gauge("liaison_http_requests_in_flight", "Requests being served.", registry=self.registry)
