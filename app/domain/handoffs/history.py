"""What a handoff keeps of its past: the timeline read from its history and its clocks' marks, and the
rules on what a sent handoff's checklist may still change."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from app.domain.errors import Conflict
from app.domain.handoffs import clocks
from app.domain.handoffs.model import CLOCKS, Handoff


def timeline_of(handoff: Handoff) -> list[dict[str, Any]]:
    """Every transition (who, when, why) and every mark a clock passed (its warning, its deadline), in
    order, each with the seconds each clock had run at that moment (pauses left out)."""
    out = []
    for entry in sorted([*handoff.history, *clocks.marks(handoff.sla)], key=lambda e: e["at"]):
        at = datetime.fromisoformat(entry["at"].replace("Z", "+00:00"))
        out.append({**entry, "clocks": {name: clocks.elapsed(handoff.sla, name, at) for name in CLOCKS}})
    return out


def _only_ticks(handoff: Handoff, merged: dict[str, Any]) -> None:
    """Once sent, the checklist is what was sent: its items and which are required stay; `done` moves."""
    before = [(c["item"], c["required"]) for c in handoff.checklist]
    after = [(c.get("item"), c.get("required", False)) for c in merged["checklist"]]
    if before != after:
        raise Conflict(
            "A sent handoff's checklist keeps its items and what is required; only `done` changes.", field="/checklist"
        )


def _copy(sla: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(sla) if sla else clocks.new_sla()
