"""A handoff's two clocks and the time each unit held it, kept in its `sla` (JSON, instants as RFC 3339):

- `accept` runs from the first send until the handoff is accepted or declined (across forwards), against
  `accept_by`;
- `complete` runs from the first send until it is completed, paused while it waits on the sender (each
  pause recorded with its reason; `due_at` moves by the pause), against `due_at`;
- `segments`: which unit held it, from when to when, so that a forward never blames the second unit for
  the first one's time.

Each clock warns at 80 % of its span (`handoff.sla_warning`) and is overdue at 100 % (`handoff.overdue`),
each exactly once: the scheduler fires them (app/domain/handoffs/jobs.py) and the marks are kept here."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from app.domain.clock import rfc3339

WARN_AT = 0.8


def _at(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value.replace("Z", "+00:00"))


def new_sla() -> dict[str, Any]:
    blank = {"started_at": None, "deadline": None, "stopped_at": None, "warned_at": None, "overdue_at": None}
    return {"accept": dict(blank), "complete": {**blank, "paused_since": None, "pauses": []}, "segments": []}


def start(sla: dict[str, Any], now: datetime, accept_by: datetime | None, due_at: datetime | None) -> None:
    """At the first send: both clocks start, against the deadlines the handoff has."""
    for name, deadline in (("accept", accept_by), ("complete", due_at)):
        sla[name]["started_at"] = rfc3339(now)
        sla[name]["deadline"] = None if deadline is None else rfc3339(deadline)
        # the span the clock was given: its warning comes when a fifth of it is left, however far pauses
        # move the deadline
        sla[name]["span_seconds"] = None if deadline is None else max(0.0, (deadline - now).total_seconds())


def stop(sla: dict[str, Any], name: str, now: datetime) -> timedelta:
    """Stop the clock; a pause it was in ends now, and its length (by which the deadline moved) is answered."""
    clock, moved = sla[name], timedelta(0)
    if clock["started_at"] is not None and clock["stopped_at"] is None:
        if clock.get("paused_since"):
            moved = resume(sla, now)
        clock["stopped_at"] = rfc3339(now)
    return moved


def restart(sla: dict[str, Any], name: str, now: datetime) -> timedelta:
    """Run a stopped clock again (an accepted handoff forwarded: the new unit's acceptance is timed too,
    on the same clock): the time it stood still is left out, the deadline moving by it (answered)."""
    clock = sla[name]
    stopped = _at(clock["stopped_at"])
    if stopped is None:
        return timedelta(0)
    length = now - stopped
    clock["stopped_at"] = None
    clock.setdefault("pauses", []).append({"from": rfc3339(stopped), "to": rfc3339(now), "reason": "stopped"})
    deadline = _at(clock["deadline"])
    if deadline is not None:
        clock["deadline"] = rfc3339(deadline + length)
    return length


def pause(sla: dict[str, Any], now: datetime, reason: str) -> None:
    sla["complete"]["paused_since"] = rfc3339(now)
    sla["complete"]["pauses"].append({"from": rfc3339(now), "to": None, "reason": reason})


def resume(sla: dict[str, Any], now: datetime) -> timedelta:
    """End the pause; the deadline moves by its length, which is answered (due_at moves by it too)."""
    clock = sla["complete"]
    since = _at(clock["paused_since"])
    if since is None:
        return timedelta(0)
    length = now - since
    clock["paused_since"] = None
    clock["pauses"][-1]["to"] = rfc3339(now)
    deadline = _at(clock["deadline"])
    if deadline is not None:
        clock["deadline"] = rfc3339(deadline + length)
    return length


def hand_to(sla: dict[str, Any], unit_id: str | None, now: datetime) -> None:
    """Close the running segment; open one for `unit_id` (None: nobody holds it any more)."""
    for segment in sla["segments"]:
        if segment["to"] is None:
            segment["to"] = rfc3339(now)
            segment["seconds"] = (now - _at(segment["from"])).total_seconds()  # type: ignore[operator]
    if unit_id is not None:
        sla["segments"].append({"unit_id": unit_id, "from": rfc3339(now), "to": None, "seconds": None})


def running(sla: dict[str, Any], name: str) -> bool:
    clock = sla[name]
    return clock["started_at"] is not None and clock["stopped_at"] is None and not clock.get("paused_since")


def next_due(sla: dict[str, Any], name: str) -> datetime | None:
    """When the clock next needs the scheduler: its warning, then its deadline (None: nothing to fire)."""
    clock = sla[name]
    started, deadline = _at(clock["started_at"]), _at(clock["deadline"])
    if not running(sla, name) or started is None or deadline is None:
        return None
    if clock["warned_at"] is None:
        span = clock.get("span_seconds")
        if span is None:
            span = (deadline - started).total_seconds()
        return deadline - timedelta(seconds=span * (1 - WARN_AT))
    if clock["overdue_at"] is None:
        return deadline
    return None


def fire(sla: dict[str, Any], name: str, now: datetime) -> list[str]:
    """The marks now reached and not yet fired, in order (`sla_warning`, `overdue`), marked as fired."""
    fired: list[str] = []
    while (due := next_due(sla, name)) is not None and due <= now:
        clock = sla[name]
        mark = "warned_at" if clock["warned_at"] is None else "overdue_at"
        clock[mark] = rfc3339(now)
        fired.append("sla_warning" if mark == "warned_at" else "overdue")
    return fired


def marks(sla: dict[str, Any]) -> list[dict[str, Any]]:
    """The warnings and deadlines each clock passed, as timeline entries."""
    out = []
    for name in ("accept", "complete"):
        for mark, action in (("warned_at", "sla_warning"), ("overdue_at", "overdue")):
            if sla.get(name, {}).get(mark):
                out.append({"at": sla[name][mark], "action": action, "clock": name, "actor": {"type": "scheduler"}})
    return out


def elapsed(sla: dict[str, Any], name: str, at: datetime) -> float | None:
    """Seconds the clock had run at `at` (pauses left out); None before it started."""
    clock = sla[name]
    started = _at(clock["started_at"])
    if started is None or at < started:
        return None
    end = min(at, _at(clock["stopped_at"]) or at)
    paused = timedelta(0)
    for p in clock.get("pauses", []):
        begin, finish = _at(p["from"]), _at(p["to"]) or end
        if begin is not None and begin < end:
            paused += min(finish, end) - begin
    return max(0.0, (end - started - paused).total_seconds())
