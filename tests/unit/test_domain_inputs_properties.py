"""Property-based: whatever a client sends (any string, any JSON, any cursor, any merge patch), the
domain answers with a result or a domain error (which the transports turn into a 4xx), never with an
exception of another kind (which would be a 500). Runs on the in-memory fakes of the ports."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.auth.tokens import TokenService
from app.domain.cursor import decode_cursor, encode_cursor
from app.domain.errors import DomainError, ErrorList
from app.domain.model import check_external_refs, check_links
from app.domain.org_chart.service import OrgChart
from app.domain.org_chart.sync import OrgChartSync
from app.domain.patch import merge_patch
from app.domain.principal import Principal
from app.domain.text import name_problem, one_line, storable
from tests.unit.fakes import FakeClock, FakeUnitOfWork

ADMIN = Principal(subject="tester", organization_id="org_1", scopes=frozenset({"admin"}))
QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text as JSON can carry it: any code point, lone surrogates and U+0000 included.
any_text = st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=12,
)
FIELD_NAMES = [
    "name",
    "kind",
    "parent_id",
    "lead_person_id",
    "external_refs",
    "links",
    "given_name",
    "family_name",
    "email",
    "title",
    "manager_id",
    "status",
    "person_id",
    "unit_id",
    "primary",
    "starts_on",
    "ends_on",
]
objects = st.dictionaries(st.sampled_from(FIELD_NAMES) | any_text, json_values, max_size=6)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def answers(coro: Any) -> None:
    with contextlib.suppress(DomainError):
        run(coro)


@QUICK
@given(any_text)
def test_any_cursor_is_a_position_or_a_domain_error(cursor: str) -> None:
    try:
        after = decode_cursor(cursor)
    except DomainError:
        return
    assert one_line(after)


@QUICK
@given(any_text.filter(one_line))
def test_cursors_we_give_decode_to_what_they_hold(after: str) -> None:
    assert decode_cursor(encode_cursor(after)) == after


@QUICK
@given(json_values, json_values)
def test_any_merge_patch_applies(target: Any, patch: Any) -> None:
    merged = merge_patch(target, patch)
    if isinstance(patch, dict):
        assert isinstance(merged, dict)
        assert all(k not in merged for k, v in patch.items() if v is None)


@QUICK
@given(json_values)
def test_text_rules_never_raise(value: Any) -> None:
    problem = name_problem(value, 200)
    if problem is None:
        assert isinstance(value, str) and storable(value) and one_line(value)
    errors = ErrorList()
    check_links(value, errors)
    check_external_refs(value, errors)


@QUICK
@given(objects)
def test_any_unit_or_person_or_membership_input(fields: dict[str, Any]) -> None:
    chart = OrgChart(FakeUnitOfWork(), ADMIN, FakeClock())  # type: ignore[arg-type]
    answers(chart.create_unit(dict(fields)))
    answers(chart.create_person(dict(fields)))
    answers(chart.create_membership(dict(fields)))


@QUICK
@given(objects, objects)
def test_any_merge_patch_of_a_unit_person_or_membership(
    unit_patch: dict[str, Any], person_patch: dict[str, Any]
) -> None:
    async def scenario() -> None:
        chart = OrgChart(FakeUnitOfWork(), ADMIN, FakeClock())  # type: ignore[arg-type]
        unit = await chart.create_unit({"name": "U", "kind": "team"})
        person = await chart.create_person({"given_name": "A", "family_name": "B", "email": "a@b.test"})
        m = await chart.create_membership({"person_id": person.id, "unit_id": unit.id})
        for update, object_id, patch in (
            (chart.update_unit, unit.id, unit_patch),
            (chart.update_person, person.id, person_patch),
            (chart.update_membership, m.id, unit_patch | person_patch),
        ):
            with contextlib.suppress(DomainError):
                await update(object_id, dict(patch))

    run(scenario())


@QUICK
@given(any_text, st.lists(objects, max_size=3), st.lists(objects, max_size=3))
def test_any_sync_batch(system: str, units: list[dict[str, Any]], people: list[dict[str, Any]]) -> None:
    uow = FakeUnitOfWork()
    answers(OrgChartSync(uow, ADMIN).run(system, units, people))  # type: ignore[arg-type]


@QUICK
@given(st.dictionaries(st.sampled_from(["sub", "org", "person", "scope", "client_id", "exp"]) | any_text, json_values))
def test_any_claims_are_a_principal_or_unauthenticated(claims: dict[str, Any]) -> None:
    claims.setdefault("sub", "x")
    with contextlib.suppress(DomainError):
        TokenService._principal(claims)
