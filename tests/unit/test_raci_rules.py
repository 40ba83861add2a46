"""RACI's rules on in-memory fakes of the ports (no database): one A per subject, entries that fit their
kinds, and the resolution's precedence (own A, nearest inherited A, implicit A), inheritance only by
`append`, unit parties as direct members running today, role parties within their scope."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.domain.errors import Conflict, Invalid
from app.domain.principal import Principal
from app.domain.roles.raci import Roles
from app.domain.roles.resolve import Resolver
from tests.unit.fakes import FakeClock, FakeUnitOfWork

ADMIN = Principal(subject="tester", organization_id="org_1", scopes=frozenset({"admin"}))
TODAY = date(2026, 11, 22)  # FakeClock's day


async def world() -> tuple[Any, Roles, dict[str, str]]:
    from app.domain.objectives.service import Objectives
    from app.domain.org_chart.service import OrgChart

    uow = FakeUnitOfWork()
    chart = OrgChart(uow, ADMIN, FakeClock())  # type: ignore[arg-type]
    ids: dict[str, str] = {}
    for name in ("ann", "bob", "cid", "dee", "lead"):
        p = await chart.create_person({"given_name": name, "family_name": "X", "email": f"{name}@x.test"})
        ids[name] = p.id
    ids["company"] = (await chart.create_unit({"name": "Company", "kind": "company"})).id
    ids["sales"] = (await chart.create_unit({"name": "Sales", "kind": "department", "parent_id": ids["company"]})).id
    ids["emea"] = (
        await chart.create_unit(
            {"name": "EMEA", "kind": "team", "parent_id": ids["sales"], "lead_person_id": ids["lead"]}
        )
    ).id
    objectives = Objectives(uow, ADMIN, FakeClock())  # type: ignore[arg-type]
    objectives.roll_up = _nothing  # type: ignore[method-assign]
    objectives.time_zone = _utc  # type: ignore[method-assign]
    goal = await objectives.create_objective(
        {
            "title": "Grow",
            "period_start": date(2026, 7, 1),
            "period_end": date(2026, 9, 30),
            "owner_unit_id": ids["emea"],
        }
    )
    ids["goal"] = goal.id
    return uow, Roles(uow, ADMIN, FakeClock()), ids  # type: ignore[arg-type]


async def _nothing(_ids: list[str | None]) -> None:
    return None


async def _utc() -> str:
    return "UTC"


def _body(subject: str, kind: str, party: str, party_type: str, letter: str, **more: Any) -> dict[str, Any]:
    return {"subject_type": kind, "subject_id": subject, "party_type": party_type, "party_id": party,
            "letter": letter, **more}  # fmt: skip


async def test_one_a_per_subject_and_entries_that_fit_their_kinds() -> None:
    _uow, roles, ids = await world()
    await roles.create_raci_entry(_body(ids["goal"], "objective", ids["ann"], "person", "A"))
    with pytest.raises(Conflict):
        await roles.create_raci_entry(_body(ids["goal"], "objective", ids["bob"], "person", "A"))
    with pytest.raises(Conflict):
        await roles.create_raci_entry(_body(ids["goal"], "objective", ids["ann"], "person", "A"))
    for bad in (
        _body(ids["goal"], "unit", ids["bob"], "person", "R"),  # an objective's id is no unit's
        _body(ids["goal"], "objective", ids["bob"], "role", "R"),
        _body(ids["goal"], "objective", ids["bob"], "person", "R", inherit="append"),
        _body(ids["goal"], "objective", ids["bob"], "person", "X"),
        _body("obj_01NOSUCHOBJECT", "objective", ids["bob"], "person", "R"),
    ):
        with pytest.raises(Invalid):
            await roles.create_raci_entry(bad)


async def test_precedence_of_the_accountable_and_inheritance_by_append_only() -> None:
    uow, roles, ids = await world()
    resolver = Resolver(uow, TODAY)
    found = await resolver.resolve_one(ids["goal"])
    assert [(h.person.id, h.implicit) for h in found.letters["A"]] == [(ids["lead"], True)]  # no owner: the lead

    await roles.create_raci_entry(_body(ids["company"], "unit", ids["ann"], "person", "A", inherit="append"))
    await roles.create_raci_entry(_body(ids["company"], "unit", ids["dee"], "person", "I"))  # not inherited
    found = await Resolver(uow, TODAY).resolve_one(ids["goal"])
    assert [(h.person.id, h.implicit, h.paths[0].inherited_from_unit_id) for h in found.letters["A"]] == [
        (ids["ann"], False, ids["company"])
    ]
    assert found.letters["I"] == []

    await roles.create_raci_entry(_body(ids["sales"], "unit", ids["bob"], "person", "A", inherit="append"))
    found = await Resolver(uow, TODAY).resolve_one(ids["goal"])
    assert [h.person.id for h in found.letters["A"]] == [ids["bob"]]  # the nearer unit's

    await roles.create_raci_entry(_body(ids["goal"], "objective", ids["cid"], "person", "A"))
    found = await Resolver(uow, TODAY).resolve_one(ids["goal"])
    assert [h.person.id for h in found.letters["A"]] == [ids["cid"]]  # its own
    assert sorted(a.applies for a in found.entries if a.entry.letter == "A") == [False, False, True]


async def test_unit_parties_are_direct_members_today_and_roles_hold_within_their_scope() -> None:
    uow, roles, ids = await world()
    from app.domain.org_chart.service import OrgChart

    chart = OrgChart(uow, ADMIN, FakeClock())  # type: ignore[arg-type]
    await chart.create_membership({"person_id": ids["ann"], "unit_id": ids["sales"]})
    await chart.create_membership({"person_id": ids["bob"], "unit_id": ids["emea"]})  # below: not a member
    await chart.create_membership(
        {"person_id": ids["cid"], "unit_id": ids["sales"], "starts_on": date(2020, 1, 1), "ends_on": date(2020, 2, 1)}
    )
    await roles.create_raci_entry(_body(ids["goal"], "objective", ids["sales"], "unit", "R"))
    reviewer = await roles.create_role({"name": "Reviewer"})
    await roles.create_role_assignment({"role_id": reviewer.id, "person_id": ids["dee"], "unit_id": ids["sales"]})
    await roles.create_role_assignment({"role_id": reviewer.id, "person_id": ids["ann"], "unit_id": ids["company"]})
    await roles.create_role_assignment({"role_id": reviewer.id, "person_id": ids["bob"], "unit_id": ids["emea"]})
    await roles.create_raci_entry(_body(ids["goal"], "objective", reviewer.id, "role", "C"))
    await roles.create_raci_entry(_body(ids["sales"], "unit", reviewer.id, "role", "I"))

    found = await Resolver(uow, TODAY).resolve_one(ids["goal"])
    assert {h.person.id for h in found.letters["R"]} == {ids["ann"]}
    assert {h.person.id for h in found.letters["C"]} == {ids["dee"], ids["ann"], ids["bob"]}
    on_sales = await Resolver(uow, TODAY).resolve_one(ids["sales"])
    assert {h.person.id for h in on_sales.letters["I"]} == {ids["dee"], ids["ann"]}  # EMEA's scope is below Sales
