from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.conventions import Json, Listing, entity_response, expected_version, idempotent, list_of, page_body
from app.api.deps import LiaisonRoute, UoW
from app.api.kit import AsOf, Collection, Operation, register
from app.api.schemas import org_chart as s
from app.api.schemas.common import PROBLEM_RESPONSES
from app.auth.http import charge
from app.domain.org_chart.service import OrgChart
from app.domain.org_chart.sync import OrgChartSync
from app.domain.principal import ORG_WRITE
from app.domain.usage import sync_weight
from app.repo.uow import SqlUnitOfWork

router = APIRouter(route_class=LiaisonRoute, prefix="/v1", responses=PROBLEM_RESPONSES)
MaxDepth = Annotated[int | None, Query(ge=1, le=1000, description="Levels below the starting unit.")]
UNITS: list[str | Enum] = ["Units"]
PEOPLE: list[str | Enum] = ["People"]
MEMBERSHIPS: list[str | Enum] = ["Memberships"]
CHART: list[str | Enum] = ["Org chart"]


def _chart(uow: SqlUnitOfWork) -> OrgChart:
    return OrgChart(uow, uow.caller)


UNITS_COLLECTION = Collection(
    path="units",
    noun="unit",
    plural="units",
    tag="Units",
    resource=s.Unit,
    create=s.UnitCreate,
    patch=s.UnitPatch,
    service=_chart,
    write_scope=ORG_WRITE,
    filters={
        "parent_id": Annotated[str | None, Query()],
        "kind": Annotated[s.UnitKind | None, Query()],
        "link_url": Annotated[str | None, Query(max_length=2048)],
    },
    docs={
        "create": Operation(
            "Create a unit", "Create a unit (a department, a team…) under an optional parent. Records `unit.created`."
        ),
        "list": Operation(
            "List units",
            "The organization's units, a page at a time; filter by parent, kind, a link's URL, external reference\n"
            "or change time, now or `as_of` an instant.",
        ),
        "get": Operation(
            "Get a unit", "One unit, now or as it stood at `as_of`. The `ETag` is its version, for `If-Match`."
        ),
        "update": Operation(
            "Update or move a unit (JSON merge patch); a move that would make a cycle is a 409",
            "Change a unit's fields or move it under another parent (JSON merge patch: send only what changes, `null`\n"
            "to clear). A move under its own descendant is a 409. Records `unit.updated`.",
        ),
        "delete": Operation(
            "Delete a unit (409 while it has child units or members)",
            "Delete a unit that has no children and no current members (409 otherwise). Records `unit.deleted`.",
        ),
        "upsert": Operation(
            "Create or update the unit that carries an external ref",
            "Create or update the unit that carries this external reference: how an HR or ERP system keeps its units\n"
            "in step without storing our ids.",
        ),
    },
)
PEOPLE_COLLECTION = Collection(
    path="people",
    noun="person",
    plural="people",
    tag="People",
    resource=s.Person,
    create=s.PersonCreate,
    patch=s.PersonPatch,
    service=_chart,
    write_scope=ORG_WRITE,
    filters={"manager_id": Annotated[str | None, Query()], "status": Annotated[s.PersonStatus | None, Query()]},
    docs={
        "create": Operation(
            "Create a person",
            "Add a person. An email is unique within the organization (409 on a duplicate). Records `person.created`.",
        ),
        "list": Operation(
            "List people",
            "The organization's people, a page at a time; filter by manager, status, external reference or change\n"
            "time, now or `as_of` an instant.",
        ),
        "get": Operation("Get a person", "One person, now or as they stood at `as_of`."),
        "update": Operation(
            "Update a person (JSON merge patch); a manager cycle is a 409",
            "Change a person's fields or manager (JSON merge patch). A manager chain that would loop is a 409.\n"
            "Records `person.updated`.",
        ),
        "upsert": Operation(
            "Create or update the person who carries an external ref",
            "Create or update the person who carries this external reference (the HR system's employee id, say).",
        ),
    },
)
MEMBERSHIPS_COLLECTION = Collection(
    path="memberships",
    noun="membership",
    plural="memberships",
    tag="Memberships",
    resource=s.Membership,
    create=s.MembershipCreate,
    patch=s.MembershipPatch,
    service=_chart,
    write_scope=ORG_WRITE,
    filters={"person_id": Annotated[str | None, Query()], "unit_id": Annotated[str | None, Query()]},
    docs={
        "create": Operation(
            "Put a person in a unit (at most one primary membership at a time)",
            "Put a person in a unit with a role, from a date and optionally to one. At most one primary membership\n"
            "per person at a time (409 otherwise). Records `membership.created`.",
        ),
        "list": Operation(
            "List memberships", "Memberships, a page at a time; filter by person or unit, now or `as_of` an instant."
        ),
        "get": Operation("Get a membership", "One membership."),
        "update": Operation(
            "Update a membership (JSON merge patch)",
            "Change a membership's role, dates or primary flag (JSON merge patch). Records `membership.updated`.",
        ),
    },
)


# --- units ----------------------------------------------------------------------------------------------


register(router, UNITS_COLLECTION)


@router.get(
    "/units/{unit_id}/descendants",
    response_model=list_of(s.UnitAtDepth),
    tags=UNITS,
    summary="Every unit below this one, nearest first",
)
async def unit_descendants(
    request: Request, unit_id: str, uow: UoW, as_of: AsOf = None, max_depth: MaxDepth = None
) -> Response:
    """Every unit below this one, each with its depth, in one read (to `max_depth` levels). At most 10,000
    units (`LIAISON_ORG_CHART_MAX_UNITS`), as the org chart: beyond, a 422 (narrow it with `max_depth`)."""
    limit = request.app.state.settings.org_chart_max_units
    found = await OrgChart(uow, uow.caller).descendants(unit_id, max_depth, as_of, max_units=limit)
    return Json({"data": [{**u.resource(), "depth": d} for u, d in found], "next_cursor": None})


@router.get(
    "/units/{unit_id}/ancestors",
    response_model=list_of(s.Unit),
    tags=UNITS,
    summary="The unit's parent, then its parent's, up to the root",
)
async def unit_ancestors(unit_id: str, uow: UoW, as_of: AsOf = None) -> Response:
    """The chain of units above this one, its parent first and the top last."""
    found = await OrgChart(uow, uow.caller).ancestors(unit_id, as_of)
    return Json({"data": [u.resource() for u in found], "next_cursor": None})


@router.get("/org-chart", response_model=s.OrgChart, tags=CHART, summary="The nested tree of units with their members")
async def org_chart(
    request: Request,
    uow: UoW,
    as_of: AsOf = None,
    max_depth: MaxDepth = None,
    root_id: Annotated[str | None, Query(description="Start here instead of at every root.")] = None,
) -> Response:
    """The org chart in one read: units as a tree, each with its members, from the top or from `root_id`, now
    or `as_of` an instant. At most 10,000 units (`LIAISON_ORG_CHART_MAX_UNITS`): a larger chart is a 422;
    narrow it with `root_id` or `max_depth`, or page through `/v1/units`.
    """
    # The domain builds the wire shape itself; re-validating 10,000 people against the model costs more
    # than building them, so the answer goes out as it is (the model documents it).
    limit = request.app.state.settings.org_chart_max_units
    chart = await OrgChart(uow, uow.caller).org_chart(root_id, max_depth, as_of, max_units=limit)
    return Json({"data": chart, "next_cursor": None})


# --- people ---------------------------------------------------------------------------------------------


register(router, PEOPLE_COLLECTION)


@router.post(
    "/people/{person_id}/deactivate",
    response_model=s.Person,
    tags=PEOPLE,
    summary="Deactivate a person (people are never deleted)",
)
async def deactivate_person(person_id: str, request: Request, uow: UoW) -> Response:
    """Mark a person as having left (`status` becomes `inactive`); their history stays."""

    async def produce() -> Response:
        person = await OrgChart(uow, uow.caller).deactivate_person(person_id, expected_version(request, person_id))
        return entity_response(person)

    return await idempotent(request, uow, uow.caller, produce, ORG_WRITE)


@router.get(
    "/people/{person_id}/reports",
    response_model=list_of(s.Person),
    tags=PEOPLE,
    summary="The people who report to this person (directly, or at any depth)",
)
async def person_reports(
    person_id: str, query: Listing, uow: UoW, as_of: AsOf = None, recursive: bool = False
) -> Response:
    """The people who report to this person: direct reports, or everyone below with `recursive=true`, a
    page at a time (by id, as every list)."""
    page = await OrgChart(uow, uow.caller).reports_page(person_id, recursive, query, as_of)
    return page_body(page, lambda p: p.resource())


@router.get(
    "/people/{person_id}/management-chain",
    response_model=list_of(s.Person),
    tags=PEOPLE,
    summary="The person's manager, then that manager's, up to the top",
)
async def management_chain(person_id: str, uow: UoW, as_of: AsOf = None) -> Response:
    """This person's managers, the direct one first and the top last."""
    found = await OrgChart(uow, uow.caller).management_chain(person_id, as_of)
    return Json({"data": [p.resource() for p in found], "next_cursor": None})


# --- memberships ----------------------------------------------------------------------------------------


register(router, MEMBERSHIPS_COLLECTION)


@router.post(
    "/memberships/{membership_id}/end",
    response_model=s.Membership,
    tags=MEMBERSHIPS,
    summary="End a membership (it stays readable in the past)",
)
async def end_membership(
    membership_id: str, request: Request, uow: UoW, body: s.MembershipEnd | None = None
) -> Response:
    """End a membership on a date (today by default); it stays in the history. Records `membership.ended`."""

    async def produce() -> Response:
        m = await OrgChart(uow, uow.caller).end_membership(
            membership_id, body.ends_on if body else None, expected_version(request, membership_id)
        )
        return entity_response(m)

    return await idempotent(request, uow, uow.caller, produce, ORG_WRITE)


# --- sync -----------------------------------------------------------------------------------------------


@router.post(
    "/sync/org-chart",
    response_model=s.SyncResult,
    tags=CHART,
    summary="Upsert units and people keyed by one system's ids, in one transaction",
)
async def sync_org_chart(body: s.SyncRequest, request: Request, uow: UoW) -> Response:
    """The whole batch is checked first: one bad row rejects it with 422 and `errors` that point at
    the row (`/people/17/email`), and nothing changes. The same payload twice reports everything
    `unchanged` and records no event. This route takes bodies up to 16 MiB
    (`LIAISON_SYNC_MAX_BODY_BYTES`); every other route, 1 MiB. It weighs one hit of the rate limit, plus
    one per 100 units and people it carries."""

    async def produce() -> Response:
        await charge(request, sync_weight(len(body.units), len(body.people)))
        result = await OrgChartSync(uow, uow.caller).run(
            body.system, [u.model_dump() for u in body.units], [p.model_dump() for p in body.people]
        )
        return Json(result)

    return await idempotent(request, uow, uow.caller, produce, ORG_WRITE)
