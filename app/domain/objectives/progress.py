"""The roll-up's arithmetic and its explanation, and the health rule: pure functions of the objects, so
that the figure stored, the figure explained and the figure a test computes by hand are one computation.

- A key result's progress is (current − start) / (target − start), clamped to 0..1 (a target below the
  start is a decreasing metric: the same formula, both differences negative).
- An objective's inputs, by its `progress_rule`: its key results (weighed by `weight`), its aligned
  children that are not cancelled (weighed by `alignment_weight`), or both. Each input's share is
  weight × progress / (sum of the weights); the objective's progress is the sum of the shares (0 with no
  input, or when every weight is 0).
- Health compares progress with the time elapsed in the period (in the organization's time zone: the
  period runs from period_start 00:00 to the end of period_end) and the latest confidence of its key
  results (the lowest of them): `on_track` when progress ≥ elapsed − 0.1 and no confidence is below 0.7;
  `off_track` when progress < elapsed − 0.3 or a confidence is below 0.4; `at_risk` otherwise. An
  achieved objective is on track, a missed one off track."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.domain.fields import Field
from app.domain.objectives.model import HEALTHS, KeyResult, Objective

ON_TRACK_GAP, OFF_TRACK_GAP = 0.1, 0.3
CONFIDENT, DOUBTFUL = 0.7, 0.4
HEALTH_RULE = __doc__.split("- Health")[1].strip() if __doc__ else ""
# The objective's fields the roll-up sets, declared for the documentation of both transports.
OBJECTIVE_READ_ONLY = (
    Field("progress", "number", description="0..1, rolled up from its inputs (GET …/progress explains it)."),
    Field("health", "choice", choices=HEALTHS, description="Health " + HEALTH_RULE),
)


def clamp(x: float) -> float:
    return 0.0 if x < 0 else 1.0 if x > 1 else x


def key_result_progress(start: float, target: float, current: float) -> float:
    if target == start:  # refused on input; a guard for rows written otherwise
        return 1.0 if current == target else 0.0
    return clamp((current - start) / (target - start))


@dataclass(frozen=True)
class Contribution:
    kind: str  # key_result | objective
    id: str
    title: str
    progress: float
    weight: float
    share: float

    def resource(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "id": self.id,
            "title": self.title,
            "progress": self.progress,
            "weight": self.weight,
            "share": self.share,
        }


@dataclass(frozen=True)
class Explanation:
    objective_id: str
    progress_rule: str
    progress: float
    total_weight: float
    inputs: list[Contribution]

    def resource(self) -> dict[str, object]:
        return {
            "objective_id": self.objective_id,
            "progress_rule": self.progress_rule,
            "progress": self.progress,
            "total_weight": self.total_weight,
            "inputs": [i.resource() for i in self.inputs],
        }


def explain(objective: Objective, key_results: Sequence[KeyResult], children: Sequence[Objective]) -> Explanation:
    """The objective's progress from its inputs as they stand, each with its share."""
    parts: list[tuple[str, str, str, float, float]] = []
    if objective.progress_rule in ("key_results", "both"):
        parts += [
            ("key_result", k.id, k.title, k.progress, k.weight)
            for k in sorted(key_results, key=lambda k: k.id)
            if k.objective_id == objective.id
        ]
    if objective.progress_rule in ("children", "both"):
        parts += [
            ("objective", c.id, c.title, c.progress, c.alignment_weight)
            for c in sorted(children, key=lambda c: c.id)
            if c.parent_id == objective.id and c.status != "cancelled"
        ]
    total = math.fsum(p[4] for p in parts)
    # p × (w / total), not w × p / total: with tiny weights the product would underflow before the division.
    inputs = [
        Contribution(kind, i, title, p, w, p * (w / total) if total > 0 else 0.0) for kind, i, title, p, w in parts
    ]
    return Explanation(
        objective.id, objective.progress_rule, min(1.0, math.fsum(c.share for c in inputs)), total, inputs
    )


def elapsed(period_start: date, period_end: date, now: datetime, time_zone: str) -> float:
    """The part of the period gone by at `now`, 0..1, days counted in the organization's time zone."""
    tz = ZoneInfo(time_zone)
    start = datetime.combine(period_start, time.min, tz)
    end = datetime.combine(period_end + timedelta(days=1), time.min, tz)
    return clamp((now - start) / (end - start))


def health(
    objective: Objective, progress: float, key_results: Sequence[KeyResult], now: datetime, time_zone: str
) -> str:
    if objective.status == "achieved":
        return "on_track"
    if objective.status == "missed":
        return "off_track"
    expected = elapsed(objective.period_start, objective.period_end, now, time_zone)
    confidences = [k.confidence for k in key_results if k.confidence is not None and k.objective_id == objective.id]
    lowest = min(confidences) if confidences else None
    if progress < expected - OFF_TRACK_GAP or (lowest is not None and lowest < DOUBTFUL):
        return "off_track"
    if progress >= expected - ON_TRACK_GAP and (lowest is None or lowest >= CONFIDENT):
        return "on_track"
    return "at_risk"
