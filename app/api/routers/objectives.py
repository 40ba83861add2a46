"""Shared objectives over REST: three collections registered with the resource kit, the explanation of a
figure, and a unit's objectives."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from app.api.conventions import Json, Listing, list_of, page_body
from app.api.deps import LiaisonRoute, UoW
from app.api.instants import Instant
from app.api.kit import Collection, Operation, id_filter, register
from app.api.schemas import objectives as s
from app.api.schemas.common import PROBLEM_RESPONSES
from app.domain.objectives.progress import HEALTH_RULE
from app.domain.objectives.service import WRITE, Objectives
from app.repo.uow import SqlUnitOfWork

router = APIRouter(route_class=LiaisonRoute, prefix="/v1", responses=PROBLEM_RESPONSES)
OBJECTIVES: list[str | Enum] = ["Objectives"]


def _service(uow: SqlUnitOfWork) -> Objectives:
    return Objectives(uow, uow.caller)


OBJECTIVES_COLLECTION = Collection(
    path="objectives",
    noun="objective",
    plural="objectives",
    tag="Objectives",
    resource=s.Objective,
    create=s.ObjectiveCreate,
    put=s.ObjectivePut,
    patch=s.ObjectivePatch,
    service=_service,
    write_scope=WRITE,
    filters={
        "parent_id": id_filter("Only the objectives aligned to this one.", "obj"),
        "owner_unit_id": id_filter("Only the objectives this unit owns.", "unit"),
        "owner_person_id": id_filter("Only the objectives this person owns.", "person"),
        "contributor_unit_id": id_filter("Only the objectives this unit contributes to.", "unit"),
        "status": Annotated[s.ObjectiveStatus | None, Query(description="Only objectives in this status.")],
        "health": Annotated[s.Health | None, Query(description="Only objectives of this health.")],
        "period_start": Annotated[
            date | None, Query(description="Only objectives whose period starts on this day.", examples=["2026-07-01"])
        ],
        "period_end": Annotated[
            date | None, Query(description="Only objectives whose period ends on this day.", examples=["2026-09-30"])
        ],
        "link_url": Annotated[str | None, Query(max_length=2048)],
    },
    docs={
        "create": Operation(
            "Create an objective",
            "Create an objective owned by a unit, for a period, optionally aligned to a higher objective\n"
            "(`parent_id`, whose period must overlap this one's) with a weight. Records `objective.created`.",
        ),
        "list": Operation(
            "List objectives",
            "Objectives, a page at a time; filter by parent, owner unit or person, contributing unit, status,\n"
            "health, period (`period_start`, `period_end`: exact dates), a link's URL, external reference or\n"
            "change time, now or `as_of` an instant.",
        ),
        "get": Operation(
            "Get an objective",
            "One objective, now or as it stood at `as_of`, with its rolled-up `progress` and `health`.\n\n"
            "**Health.** " + HEALTH_RULE,
        ),
        "update": Operation(
            "Update an objective, change its status or realign it (JSON merge patch)",
            "Change an objective's fields (JSON merge patch). `status` moves by the rule table: draft → active |\n"
            "cancelled; active → achieved | missed | cancelled; anything else is a 409. A `parent_id` that would\n"
            "make a cycle is a 409. Records `objective.updated`, or `objective.activated|achieved|missed|\n"
            "cancelled` when the status moves; the roll-up that follows records `objective.progress_changed`.",
        ),
        "delete": Operation(
            "Delete an objective (409 while objectives align to it or its key results hold check-ins)",
            "Delete an objective and its key results. An objective with aligned children, or whose key results\n"
            "hold check-ins (a record), stays: 409 (cancel it instead). Records `objective.deleted`.",
        ),
        "upsert": Operation(
            "Create or update the objective that carries an external ref",
            "Create or update the objective that carries this external reference (the id another OKR tool\ngave it).",
        ),
    },
)
KEY_RESULTS_COLLECTION = Collection(
    path="key-results",
    noun="key_result",
    plural="key_results",
    tag="Objectives",
    resource=s.KeyResult,
    create=s.KeyResultCreate,
    patch=s.KeyResultPatch,
    service=_service,
    write_scope=WRITE,
    filters={
        "objective_id": id_filter("Only the key results of this objective.", "obj"),
        "owner_person_id": id_filter("Only the key results this person owns.", "person"),
        "link_url": Annotated[str | None, Query(max_length=2048)],
    },
    docs={
        "create": Operation(
            "Create a key result",
            "Add a measure to an open (draft or active) objective: from `start_value` to `target_value` (a\n"
            "target below the start is a decreasing metric), with a weight and a check-in cadence. Records\n"
            "`key_result.created`.",
        ),
        "list": Operation(
            "List key results",
            "Key results, a page at a time; filter by objective, owner, a link's URL, external reference or\n"
            "change time, now or `as_of` an instant.",
        ),
        "get": Operation("Get a key result", "One key result, now or as it stood at `as_of`."),
        "update": Operation(
            "Update a key result (JSON merge patch)",
            "Change a key result's fields (JSON merge patch). `current_value` moves only by check-ins. A new\n"
            "start, target or weight rolls up to its objective. Records `key_result.updated`.",
        ),
        "delete": Operation(
            "Delete a key result (409 once it holds check-ins)",
            "Delete a key result that has no check-in; one that has is a record and stays (409).\n"
            "Records `key_result.deleted`.",
        ),
        "upsert": Operation(
            "Create or update the key result that carries an external ref",
            "Create or update the key result that carries this external reference.",
        ),
    },
)
CHECK_INS_COLLECTION = Collection(
    path="check-ins",
    noun="check_in",
    plural="check_ins",
    tag="Objectives",
    resource=s.CheckIn,
    create=s.CheckInCreate,
    patch=s.CheckInCreate,
    service=_service,
    write_scope=WRITE,
    history=False,
    filters={
        "key_result_id": id_filter("Only the check-ins of this key result.", "kr"),
        "objective_id": id_filter("Only the check-ins of this objective's key results.", "obj"),
        "author_person_id": id_filter("Only the check-ins this person recorded.", "person"),
        "created_before": Annotated[
            Instant | None,
            Query(description="Only check-ins recorded before this instant.", examples=["2026-09-01T00:00:00Z"]),
        ],
    },
    docs={
        "create": Operation(
            "Record a check-in",
            "Record a key result's value now, with a confidence (0..1) and a note; the author and time are\n"
            "recorded. In the same transaction the key result's `current_value` and progress move, then its\n"
            "objective's and every objective's above it (concurrent check-ins lose no update). Records\n"
            "`check_in.created`, `key_result.progress_changed` and `objective.progress_changed` for each\n"
            "objective whose progress moved. A closed objective (achieved, missed, cancelled) takes none: 409.",
        ),
        "list": Operation(
            "List check-ins",
            "Check-ins, oldest first; filter by key result, objective, author (`author_person_id`) and time\n"
            "(`updated_since`: at or after; `created_before`: before). Check-ins are never changed or deleted.",
        ),
        "get": Operation("Get a check-in", "One check-in."),
    },
)

register(router, OBJECTIVES_COLLECTION)


@router.get(
    "/objectives/{objective_id}/progress",
    response_model=s.ProgressExplained,
    tags=OBJECTIVES,
    summary="Explain an objective's progress",
)
async def objective_progress(objective_id: str, uow: UoW) -> Response:
    """Every input of the objective's progress (by its `progress_rule`: its key results, its aligned children
    that are not cancelled, or both) with its progress, weight and share: share = weight × progress / total
    weight, and the shares sum to the objective's progress."""
    return Json((await _service(uow).explain_progress(objective_id)).resource())


@router.get(
    "/units/{unit_id}/objectives",
    response_model=list_of(s.Objective),
    tags=OBJECTIVES,
    summary="The objectives a unit owns, and those it contributes to",
)
async def unit_objectives(
    unit_id: str,
    query: Listing,
    uow: UoW,
    include: Annotated[
        Literal["contributing"] | None,
        Query(description="`contributing`: also the objectives the unit contributes to."),
    ] = None,
) -> Response:
    """What a department owns, and with `include=contributing` also what it contributes to (it is among their
    `contributor_unit_ids`), a page at a time."""
    page = await _service(uow).unit_objectives(unit_id, query, include == "contributing")
    return page_body(page, lambda o: o.resource())


register(router, KEY_RESULTS_COLLECTION)
register(router, CHECK_INS_COLLECTION)
