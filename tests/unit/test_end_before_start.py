"""An end may not come before its start: one declared rule (`Field.not_before`) for every pair of dates
(a membership's and a role assignment's `ends_on`, an objective's `period_end`), on creation and change."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.domain.errors import ErrorList, Invalid
from app.domain.objectives.model import check_objective
from app.domain.org_chart.model import check_membership
from app.domain.roles.model import check_role_assignment


def _membership(fields: dict[str, Any], creating: bool) -> None:
    errors = ErrorList()
    check_membership(fields, errors, creating=creating)
    errors.raise_if_any()


CASES = [
    (_membership, {"person_id": "person_1", "unit_id": "unit_1", "kind": "member", "primary": False}, "starts_on", "ends_on"),
    (check_role_assignment, {"role_id": "role_1", "person_id": "person_1"}, "starts_on", "ends_on"),
    (check_objective, {"title": "Grow", "owner_unit_id": "unit_1"}, "period_start", "period_end"),
]  # fmt: skip


@pytest.mark.parametrize(("check", "base", "start", "end"), CASES, ids=["membership", "role_assignment", "objective"])
@pytest.mark.parametrize("creating", [True, False])
def test_an_end_before_its_start_is_refused(
    check: Any, base: dict[str, Any], start: str, end: str, creating: bool
) -> None:
    with pytest.raises(Invalid) as refused:
        check({**base, start: date(2026, 3, 2), end: date(2026, 3, 1)}, creating=creating)
    assert [(e.field, e.code, e.message) for e in refused.value.errors] == [
        (f"/{end}", "invalid", f"must not be before {start}")]  # fmt: skip
    check({**base, start: date(2026, 3, 1), end: date(2026, 3, 1)}, creating=creating)  # the same day is fine
    check({**base, start: date(2026, 3, 1), end: date(2026, 3, 2)}, creating=creating)
