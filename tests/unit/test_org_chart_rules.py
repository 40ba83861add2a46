"""The org chart's rules, on in-memory fakes of the ports (no database): no cycle of units or of
managers, at most one primary membership at a time, no deleting a unit with children or members,
one email per person whatever its case. Each refusal is a 409 that names the field at fault."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.errors import Conflict
from app.domain.model import ListQuery
from app.domain.org_chart.service import OrgChart
from app.domain.principal import Principal
from tests.unit.fakes import FakeClock, FakeUnitOfWork

ADMIN = Principal(subject="tester", organization_id="org_1", scopes=frozenset({"admin"}))


def chart() -> OrgChart:
    return OrgChart(FakeUnitOfWork(), ADMIN, FakeClock())  # type: ignore[arg-type]


async def test_a_unit_cannot_move_under_itself_or_its_descendants() -> None:
    c = chart()
    top = await c.create_unit({"name": "Company", "kind": "company"})
    mid = await c.create_unit({"name": "Sales", "kind": "department", "parent_id": top.id})
    low = await c.create_unit({"name": "EMEA", "kind": "team", "parent_id": mid.id})
    for new_parent in (top.id, mid.id, low.id):
        with pytest.raises(Conflict) as refused:
            await c.update_unit(top.id, {"parent_id": new_parent})
        assert refused.value.field == "/parent_id"
    moved = await c.update_unit(low.id, {"parent_id": top.id})  # sideways is fine
    assert moved.parent_id == top.id


async def test_a_manager_chain_cannot_loop() -> None:
    c = chart()
    boss = await c.create_person({"given_name": "B", "family_name": "O", "email": "b@x.org"})
    mid = await c.create_person({"given_name": "M", "family_name": "I", "email": "m@x.org", "manager_id": boss.id})
    ada = await c.create_person({"given_name": "A", "family_name": "L", "email": "a@x.org", "manager_id": mid.id})
    for person, manager in ((boss.id, ada.id), (boss.id, mid.id), (ada.id, ada.id)):
        with pytest.raises(Conflict) as refused:
            await c.update_person(person, {"manager_id": manager})
        assert refused.value.field == "/manager_id"


async def test_one_email_per_person_whatever_its_case() -> None:
    c = chart()
    await c.create_person({"given_name": "A", "family_name": "L", "email": "Ada@X.org"})
    with pytest.raises(Conflict) as refused:
        await c.create_person({"given_name": "B", "family_name": "L", "email": " ada@x.ORG"})
    assert refused.value.field == "/email"


async def test_at_most_one_primary_membership_at_a_time() -> None:
    c = chart()
    ada = await c.create_person({"given_name": "A", "family_name": "L", "email": "a@x.org"})
    sales = await c.create_unit({"name": "Sales", "kind": "department"})
    ops = await c.create_unit({"name": "Ops", "kind": "department"})
    first = await c.create_membership(
        {
            "person_id": ada.id,
            "unit_id": sales.id,
            "primary": True,
            "starts_on": date(2026, 1, 1),
            "ends_on": date(2026, 6, 30),
        }
    )
    with pytest.raises(Conflict) as refused:
        await c.create_membership(
            {"person_id": ada.id, "unit_id": ops.id, "primary": True, "starts_on": date(2026, 6, 1)}
        )
    assert refused.value.field == "/primary"
    # After the first one ends, another primary is fine; a secondary one at any time.
    later = await c.create_membership(
        {"person_id": ada.id, "unit_id": ops.id, "primary": True, "starts_on": date(2026, 7, 1)}
    )
    assert later.primary and first.primary
    assert not (
        await c.create_membership({"person_id": ada.id, "unit_id": ops.id, "starts_on": date(2026, 3, 1)})
    ).primary
    with pytest.raises(Conflict):  # making an overlapping one primary is the same rule
        await c.update_membership(first.id, {"ends_on": None})


async def test_a_unit_with_children_or_current_members_cannot_be_deleted() -> None:
    c = chart()
    top = await c.create_unit({"name": "Company", "kind": "company"})
    child = await c.create_unit({"name": "Sales", "kind": "department", "parent_id": top.id})
    with pytest.raises(Conflict, match="child units"):
        await c.delete_unit(top.id)
    ada = await c.create_person({"given_name": "A", "family_name": "L", "email": "a@x.org"})
    m = await c.create_membership({"person_id": ada.id, "unit_id": child.id})
    with pytest.raises(Conflict, match="members"):
        await c.delete_unit(child.id)
    await c.end_membership(m.id, date(2000, 1, 1))
    await c.delete_unit(child.id)
    await c.delete_unit(top.id)
    assert (await c.list_units(ListQuery())).items == []


async def test_a_unit_that_owns_or_contributes_to_objectives_stays() -> None:
    from app.domain.objectives.model import Objective

    c = chart()
    uow = c.uow
    owner = await c.create_unit({"name": "Sales", "kind": "department"})
    helper = await c.create_unit({"name": "Delivery", "kind": "department"})
    now = c.clock.now()
    await uow.objectives.add(
        Objective(
            id="obj_1", organization_id="org_1", created_at=now, updated_at=now, title="O",
            period_start=date(2026, 7, 1), period_end=date(2026, 9, 30), owner_unit_id=owner.id,
            contributor_unit_ids=[helper.id],
        )
    )  # fmt: skip
    for unit in (owner, helper):
        with pytest.raises(Conflict, match="objectives"):
            await c.delete_unit(unit.id)
