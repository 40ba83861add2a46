"""Property-based: for every objective of a generated cascade (any shape, rules, weights, zero weights,
cancelled children, decreasing metrics, values beyond their targets), the explanation's shares sum to the
objective's figure, each share lies between 0 and its weight's part, and the figure equals the weighted
mean written out here, by another route than the domain's."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.objectives.model import KeyResult, Objective
from app.domain.objectives.progress import explain, key_result_progress

NOW = datetime(2026, 8, 1, tzinfo=UTC)
weights = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 1000.0])
values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@st.composite
def cascades(draw: st.DrawFn) -> tuple[list[Objective], list[KeyResult]]:
    count = draw(st.integers(min_value=1, max_value=25))
    objectives: list[Objective] = []
    for i in range(count):
        parent = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=i - 1))) if i else None
        objectives.append(
            Objective(
                id=f"obj_{i:04d}",
                organization_id="org_1",
                created_at=NOW,
                updated_at=NOW,
                title=f"O{i}",
                period_start=date(2026, 7, 1),
                period_end=date(2026, 9, 30),
                owner_unit_id="unit_1",
                parent_id=None if parent is None else objectives[parent].id,
                alignment_weight=draw(weights),
                progress_rule=draw(st.sampled_from(["key_results", "children", "both"])),
                status=draw(st.sampled_from(["draft", "active", "cancelled", "achieved"])),
            )
        )
    key_results: list[KeyResult] = []
    for i in range(draw(st.integers(min_value=0, max_value=40))):
        start, target = draw(values), draw(values)
        if start == target:
            target = start + 1
        current = draw(values)
        key_results.append(
            KeyResult(
                id=f"kr_{i:04d}",
                organization_id="org_1",
                created_at=NOW,
                updated_at=NOW,
                objective_id=objectives[draw(st.integers(min_value=0, max_value=count - 1))].id,
                title=f"K{i}",
                start_value=start,
                target_value=target,
                current_value=current,
                weight=draw(weights),
                progress=key_result_progress(start, target, current),
            )
        )
    return objectives, key_results


def _rolled_up(objectives: list[Objective], key_results: list[KeyResult]) -> dict[str, Objective]:
    """Children before parents (a child's index is above its parent's): each figure from the domain."""
    done: dict[str, Objective] = {}
    for o in sorted(objectives, key=lambda o: o.id, reverse=True):
        children = [done[c.id] for c in objectives if c.parent_id == o.id]
        done[o.id] = replace(o, progress=explain(o, key_results, children).progress)
    return done


@settings(max_examples=300, deadline=None)
@given(cascades())
def test_shares_sum_to_the_figure_for_every_objective(cascade: tuple[list[Objective], list[KeyResult]]) -> None:
    objectives, key_results = cascade
    rolled = _rolled_up(objectives, key_results)
    for o in rolled.values():
        children = [c for c in rolled.values() if c.parent_id == o.id]
        explained = explain(o, key_results, children)
        assert abs(sum(i.share for i in explained.inputs) - explained.progress) < 1e-9
        assert 0.0 <= explained.progress <= 1.0
        for i in explained.inputs:
            assert 0.0 <= i.share <= (i.weight / explained.total_weight if explained.total_weight else 0) + 1e-12
        # The weighted mean, written out: key results by weight, children not cancelled by alignment weight.
        pairs: list[tuple[float, float]] = []
        if o.progress_rule != "children":
            for k in key_results:
                if k.objective_id == o.id:
                    raw = (k.current_value - k.start_value) / (k.target_value - k.start_value)
                    pairs.append((k.weight, min(1.0, max(0.0, raw))))
        if o.progress_rule != "key_results":
            pairs += [(c.alignment_weight, c.progress) for c in children if c.status != "cancelled"]
        total = sum(w for w, _ in pairs)
        expected = sum(w * p for w, p in pairs) / total if total else 0.0
        assert abs(explained.progress - expected) < 1e-9
