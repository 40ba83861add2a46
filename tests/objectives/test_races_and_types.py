"""Races an integrator can start (moves against check-ins, periods against new children, units deleted
while objectives name them), and the JSON types a field takes, over REST. On PostgreSQL the requests run at
the same time on separate connections."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from app.domain.objectives.model import KeyResult, Objective
from app.domain.objectives.progress import explain
from app.domain.objectives.reminders import first_due, next_due
from tests.factories import make_org
from tests.objectives.helpers import get, key_result, objective, unit

MERGE = {"content-type": "application/merge-patch+json"}


async def test_moves_and_check_ins_below_them_queue_instead_of_failing(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    u = await unit(client, h, "Company")
    top = await objective(client, h, u, progress_rule="children")
    p1, p2 = [await objective(client, h, u, parent_id=top["id"]) for _ in range(2)]
    for destination in (p2, top, p1):  # sideways, upwards, back
        mover = await objective(client, h, u, parent_id=p1["id"])
        await key_result(client, h, mover["id"], 10)
        siblings = [await key_result(client, h, (await objective(client, h, u, parent_id=p1["id"]))["id"], 10)
                    for _ in range(6)]  # fmt: skip
        answers = await asyncio.gather(
            client.patch(
                f"/v1/objectives/{mover['id']}", json={"parent_id": destination["id"]}, headers={**h, **MERGE}
            ),
            *[client.post("/v1/check-ins", json={"key_result_id": k["id"], "value": 5}, headers=h) for k in siblings],
        )
        assert [r.status_code for r in answers] == [200] + [201] * 6, [r.text for r in answers if r.status_code >= 300]
    for o in (top, p1, p2):
        explained = await get(client, h, f"/v1/objectives/{o['id']}/progress")
        assert (await get(client, h, f"/v1/objectives/{o['id']}"))["progress"] == pytest.approx(explained["progress"])


async def test_a_period_change_racing_a_new_child_never_leaves_them_apart(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    u = await unit(client, h, "Company")
    for _round in range(8):
        parent = await objective(client, h, u)  # 2026-07-01 .. 2026-09-30
        moved, child = await asyncio.gather(
            client.patch(
                f"/v1/objectives/{parent['id']}",
                json={"period_start": "2027-01-01", "period_end": "2027-12-31"},
                headers={**h, **MERGE},
            ),
            client.post(
                "/v1/objectives",
                json={
                    "title": "C",
                    "owner_unit_id": u,
                    "parent_id": parent["id"],
                    "period_start": "2026-07-01",
                    "period_end": "2026-08-31",
                },
                headers=h,
            ),
        )
        assert not (moved.status_code == 200 and child.status_code == 201), (moved.text, child.text)


async def test_a_unit_deleted_while_an_objective_names_it(client: httpx.AsyncClient) -> None:
    _org, h = await make_org(client)
    owner = await unit(client, h, "Sales")
    for field in ("contributor_unit_ids", "owner_unit_id"):
        for _round in range(6):
            doomed = await unit(client, h, "Doomed")
            named = {field: [doomed] if field == "contributor_unit_ids" else doomed}
            body = {"title": "O", "owner_unit_id": owner, "period_start": "2026-07-01", "period_end": "2026-09-30",
                    **named}  # fmt: skip
            deleted, created = await asyncio.gather(
                client.delete(f"/v1/units/{doomed}", headers=h), client.post("/v1/objectives", json=body, headers=h)
            )
            assert deleted.status_code in (204, 409) and created.status_code in (201, 409, 422), created.text
            assert not (deleted.status_code == 204 and created.status_code == 201), (field, created.text)
            if created.status_code == 409:
                assert "duplicate" not in created.text and "existing object" not in created.text


BAD_TYPES: list[tuple[str, str, Any]] = [
    ("/v1/check-ins", "value", True),
    ("/v1/check-ins", "value", "1_000"),
    ("/v1/check-ins", "confidence", "0.5"),
    ("/v1/key-results", "weight", True),
    ("/v1/key-results", "target_value", "10"),
    ("/v1/objectives", "period_start", 1767225600),
    ("/v1/objectives", "alignment_weight", "1"),
    ("/v1/memberships", "primary", "yes"),
    ("/v1/memberships", "starts_on", 20260101),
    ("/v1/handoffs", "accept_by", 1767225600),
]


@pytest.mark.parametrize(("path", "name", "value"), BAD_TYPES, ids=[f"{p}.{n}={v!r}" for p, n, v in BAD_TYPES])
async def test_a_field_takes_its_own_json_type_only(
    client: httpx.AsyncClient, path: str, name: str, value: Any
) -> None:
    _org, h = await make_org(client)
    r = await client.post(path, json={name: value}, headers=h)
    assert r.status_code == 422, r.text
    assert any(e["field"] == f"/{name}" for e in r.json()["errors"]), r.text


def test_tiny_weights_give_the_figure_not_zero() -> None:
    now = datetime(2026, 8, 1, tzinfo=UTC)
    o = Objective(id="obj_1", organization_id="o", created_at=now, updated_at=now, title="O",
                  period_start=date(2026, 7, 1), period_end=date(2026, 9, 30), owner_unit_id="unit_1",
                  progress_rule="key_results")  # fmt: skip
    for weight, progress in ((5e-324, 0.5), (1e-310, 0.3), (1e-200, 0.7)):
        kr = KeyResult(id="kr_1", organization_id="o", created_at=now, updated_at=now, objective_id="obj_1",
                       title="K", target_value=1, weight=weight, progress=progress)  # fmt: skip
        assert explain(o, [kr], []).progress == progress


def test_monthly_periods_count_from_their_anchor_day() -> None:
    anchor = datetime(2026, 1, 31, 9, tzinfo=UTC)
    ends = [next_due(anchor, "monthly", "Europe/Paris", n).date().isoformat() for n in range(1, 6)]
    assert ends == ["2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30"]
    assert first_due(anchor, "monthly", "UTC", datetime(2026, 3, 1, tzinfo=UTC)).day == 31
    week = next_due(datetime(2026, 3, 25, 12, tzinfo=UTC), "weekly", "Europe/Paris")  # across the DST change
    assert week.astimezone(UTC).hour == 11  # the same local hour (13:00 Paris), an hour less in UTC
