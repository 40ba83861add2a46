"""Roles and responsibilities over REST: roles, role assignments and RACI entries registered with the
resource kit; what RACI resolves to (a subject's people, a unit's matrix, a person's responsibilities and
feed)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from app.api.conventions import CSV, Json, ListOf, PlainListing, only, page_body, wants_csv
from app.api.deps import LiaisonRoute, UoW
from app.api.kit import Collection, Operation, id_filter, register
from app.api.schemas import roles as s
from app.api.schemas.common import PROBLEM_RESPONSES
from app.api.schemas.platform import Event
from app.domain.model import ListQuery
from app.domain.roles.raci import Roles
from app.domain.roles.service import WRITE
from app.repo.uow import SqlUnitOfWork

router = APIRouter(route_class=LiaisonRoute, prefix="/v1", responses=PROBLEM_RESPONSES)
TAG: list[str | Enum] = ["Roles and responsibilities"]
CSV_EXAMPLE = (
    "subject_type,subject_id,subject,Sales (unit unit_01J9Z3Q4K6W8),Controller (role role_01J9Z3Q4K6W8),"
    "Ann Lee (person person_01J9Z3Q4K6W8)\r\n"
    "unit,unit_01J9Z3Q4K6W8,Sales,,I,A (implicit)\r\n"
    "objective,obj_01J9Z3Q4K6W8,Grow recurring revenue 20%,R,C,A\r\n"
)


def _service(uow: SqlUnitOfWork) -> Roles:
    return Roles(uow, uow.caller)


ROLES = Collection(
    path="roles",
    noun="role",
    plural="roles",
    tag="Roles and responsibilities",
    resource=s.Role,
    create=s.RoleCreate,
    patch=s.RolePatch,
    service=_service,
    write_scope=WRITE,
    filters={
        "unit_id": id_filter("Only the roles this unit owns.", "unit"),
        "link_url": Annotated[str | None, Query(max_length=2048)],
    },
    docs={
        "create": Operation(
            "Define a role",
            "A role: its name, what it is responsible for (`responsibilities`, a line each), the unit that owns\n"
            "its definition, and links. Records `role.created`.",
        ),
        "list": Operation(
            "List roles",
            "Roles, a page at a time; filter by owning unit, a link's URL, external reference or change time, now\n"
            "or `as_of` an instant.",
        ),
        "get": Operation("Get a role", "One role, now or as it stood at `as_of`."),
        "update": Operation(
            "Update a role (JSON merge patch)",
            "Change a role's fields (JSON merge patch; `responsibilities` and `links` are replaced). Records\n"
            "`role.updated`.",
        ),
        "delete": Operation(
            "Delete a role (409 while it has assignments)",
            "Delete a role nobody holds or held (its assignments are a record: 409 while any exists). The RACI\n"
            "entries that name it go with it (`raci.deleted` each). Records `role.deleted`.",
        ),
        "upsert": Operation(
            "Create or update the role that carries an external ref",
            "Create or update the role that carries this external reference (the id an HR system gave it).",
        ),
    },
)
ROLE_ASSIGNMENTS = Collection(
    path="role-assignments",
    noun="role_assignment",
    plural="role_assignments",
    tag="Roles and responsibilities",
    resource=s.RoleAssignment,
    create=s.RoleAssignmentCreate,
    patch=s.RoleAssignmentPatch,
    service=_service,
    write_scope=WRITE,
    filters={
        "role_id": id_filter("Only the assignments of this role.", "role"),
        "person_id": id_filter("Only this person's assignments.", "person"),
        "unit_id": id_filter("Only the assignments scoped to this unit.", "unit"),
    },
    docs={
        "create": Operation(
            "Give a person a role",
            "A person holds a role from `starts_on` to `ends_on` (both optional, inclusive), everywhere or for a\n"
            "unit (`unit_id`: that unit's subjects and those below it). Records `role_assignment.created`.",
        ),
        "list": Operation(
            "List role assignments",
            "Role assignments, a page at a time; filter by role, person, scope unit. Now: every assignment, ended\n"
            "or not. With `as_of`: those that ran on that day, as they were recorded at that instant.",
        ),
        "get": Operation("Get a role assignment", "One role assignment, now or as it stood at `as_of`."),
        "update": Operation(
            "Change or end a role assignment (JSON merge patch)",
            "Change the scope or the dates; the role and the person are what the assignment is (make another).\n"
            "Setting an `ends_on` that has come records `role_assignment.ended`, otherwise\n"
            "`role_assignment.updated`.",
        ),
        "delete": Operation(
            "Delete a role assignment (a mistake)",
            "Remove an assignment made by mistake; reads `as_of` before the deletion still show it. To end one\n"
            "that ran, set its `ends_on`. Records `role_assignment.deleted`.",
        ),
        "upsert": Operation(
            "Create or update the role assignment that carries an external ref",
            "Create or update the assignment that carries this external reference.",
        ),
    },
)
RACI = Collection(
    path="raci",
    noun="raci_entry",
    plural="raci_entries",
    tag="Roles and responsibilities",
    resource=s.RaciEntry,
    create=s.RaciCreate,
    patch=s.RaciPatch,
    service=_service,
    write_scope=WRITE,
    history=False,
    filters={
        "subject_id": id_filter("Only the entries on this subject.", "obj"),
        "party_id": id_filter("Only the entries naming this party (a person, unit or role).", "role"),
        "subject_type": Annotated[s.SubjectType | None, Query(description="Only entries on this kind of subject.")],
        "party_type": Annotated[s.PartyType | None, Query(description="Only entries naming this kind of party.")],
        "letter": Annotated[s.Letter | None, Query(description="Only entries of this letter.")],
        "inherit": Annotated[s.Inherit | None, Query(description="Only entries inherited this way.")],
    },
    docs={
        "create": Operation(
            "Give a party a letter on a subject",
            "A RACI entry: a person, unit or role is R, A, C or I on an objective, key result, handoff or unit.\n"
            "At most one A per subject: a second is a 409, also when two requests race. `inherit: append` on\n"
            "a unit's entry makes it hold for the subjects of the units below it. Records `raci.created`.",
        ),
        "list": Operation(
            "List RACI entries",
            "RACI entries, a page at a time; filter by subject (`subject_id`), party (`party_id`), their kinds,\n"
            "letter or inheritance.",
        ),
        "get": Operation("Get a RACI entry", "One RACI entry."),
        "update": Operation(
            "Change an entry's letter or inheritance (JSON merge patch)",
            "Change the letter or the inheritance; the subject and the party are what the entry is. A second A\n"
            "on the subject is a 409. Records `raci.updated`.",
        ),
        "delete": Operation("Delete a RACI entry", "Records `raci.deleted`."),
        "upsert": Operation(
            "Create or update the RACI entry that carries an external ref",
            "Create or update the entry that carries this external reference.",
        ),
    },
)

register(router, ROLES)
register(router, ROLE_ASSIGNMENTS)


@router.get(
    "/raci/resolve",
    response_model=s.RaciResolved,
    tags=TAG,
    summary="Who is R, A, C and I on a subject, and why",
)
async def resolve_raci(
    uow: UoW,
    subject_id: Annotated[
        str,
        Query(max_length=40, description="An objective, key result, handoff or unit.", examples=["obj_01J9Z3Q4K6W8"]),
    ],
) -> Response:
    """The people who are R, A, C and I on the subject today, each with the paths that put them there: an
    entry naming them (`direct`), a unit they are a direct member of (`unit`), a role they hold (`role`,
    within the assignment's scope), each possibly `inherited` from a unit above the subject's with
    `inherit: append` (`inherited_from_unit_id`). One A: the subject's own entry, else the nearest inherited
    one, else the `implicit` one (an objective's `owner_person_id`, else its owner unit's lead; a key
    result's owner, else its objective's; a handoff's `to_person_id`, else the addressed unit's lead; a
    unit's lead), marked `implicit`; the implicit one stands in too when the A entry names nobody today (an
    empty unit, a role without holders, an inactive person). Inactive people are left out. Needs `org:read`
    (it names people) and the subject's own read scope (`objectives:read`, `handoffs:read` or `org:read`)."""
    return Json((await _service(uow).resolve(subject_id)).resource())


@router.get(
    "/raci/matrix",
    response_model=s.RaciMatrix,
    tags=TAG,
    summary="A unit's RACI matrix: its subjects × the parties (JSON, or CSV)",
    responses={200: {"content": {CSV: {"schema": {"type": "string"}, "example": CSV_EXAMPLE}}}},
)
async def get_raci_matrix(
    request: Request,
    uow: UoW,
    unit_id: Annotated[str, Query(max_length=40, description="The unit.", examples=["unit_01J9Z3Q4K6W8"])],
    format: Annotated[
        Literal["json", "csv"] | None, Query(description="`csv` for a spreadsheet (or `Accept: text/csv`).")
    ] = None,
) -> Response:
    """The unit's subjects (the unit itself, the objectives it owns with their key results, the handoffs from
    or to it) as rows, the parties holding a letter on any of them (units, roles, people; their own entries
    and inherited ones, and the person standing in for a missing A) as columns, each cell the letters. With
    `Accept: text/csv` (or `format=csv`): the same grid as CSV, a cell like `R/A`, an implicit A written
    `A (implicit)`, a text that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`) prefixed with
    `'`. Needs `org:read`; rows of objectives and key results need `objectives:read`, of handoffs
    `handoffs:read` (without it they are left out)."""
    found = await _service(uow).matrix(unit_id)
    if wants_csv(format, request.headers.get("accept", "")):
        return Response(
            found.csv(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="raci-{unit_id}.csv"'},
        )
    return Json(found.resource())


@router.get(
    "/people/{person_id}/responsibilities",
    response_model=s.Responsibilities,
    tags=TAG,
    summary="The roles a person holds and the letters they hold",
)
async def get_person_responsibilities(person_id: str, uow: UoW) -> Response:
    """The roles the person holds today, and the RACI letters they hold: through entries naming them
    (`direct`), the units they are a member of today (`unit`) and the roles they hold (`role`, where the
    assignment's scope covers the subject). An entry with `inherit: append` also holds for the subjects
    below its unit (`GET /v1/raci/resolve` shows them per subject)."""
    return Json((await _service(uow).responsibilities(person_id)).resource())


@router.get(
    "/people/{person_id}/feed",
    response_model=ListOf[Event],
    tags=TAG,
    summary="The events of the subjects a person is R, A, C or I on (events:read)",
)
async def list_person_feed(
    person_id: str,
    query: PlainListing,
    uow: UoW,
    type: Annotated[list[str] | None, Query(description="Event types, repeated or comma-separated.")] = None,
    after: Annotated[str | None, Query(description="Only events after this event id.")] = None,
) -> Response:
    """What concerns a person, oldest first: the events about the subjects where they are R, A, C or I,
    resolved when the feed is read (a person who joins a unit sees that unit's subjects from then on,
    events before included). An objective's events include its key results' and check-ins'. Page with
    `cursor`, or poll with `after`, like `/v1/events`."""
    if after and not query.after:
        query = ListQuery(limit=query.limit, after=after, updated_since=query.updated_since)
    page = await _service(uow).feed(person_id, query, only(type))
    return page_body(page, lambda e: e.resource())


register(router, RACI)
