"""Handoffs over REST: handoffs and their policies registered with the resource kit, the actions (one route
each, through one table of moves), the timeline and the comments."""

from __future__ import annotations

import inspect
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import BaseModel

from app.api.conventions import Json, Listing, ListOf, entity_response, expected_version, idempotent, list_of, page_body
from app.api.deps import LiaisonRoute, UoW
from app.api.kit import Collection, Operation, created, id_filter, register
from app.api.schemas import handoffs as s
from app.api.schemas.common import PROBLEM_RESPONSES
from app.domain.handoffs.policies import HandoffPolicies
from app.domain.handoffs.service import WRITE
from app.repo.uow import SqlUnitOfWork

router = APIRouter(route_class=LiaisonRoute, prefix="/v1", responses=PROBLEM_RESPONSES)
HANDOFFS: list[str | Enum] = ["Handoffs"]


def _service(uow: SqlUnitOfWork) -> HandoffPolicies:
    return HandoffPolicies(uow, uow.caller)


HANDOFFS_COLLECTION = Collection(
    path="handoffs",
    noun="handoff",
    plural="handoffs",
    tag="Handoffs",
    resource=s.Handoff,
    create=s.HandoffCreate,
    patch=s.HandoffPatch,
    service=_service,
    write_scope=WRITE,
    filters={
        "status": Annotated[s.Status | None, Query(description="Only handoffs in this status.")],
        "from_unit_id": id_filter("Only the handoffs this unit sent.", "unit"),
        "to_unit_id": id_filter("Only the handoffs addressed to this unit.", "unit"),
        "either_unit_id": id_filter("Only the handoffs this unit sent or is addressed by.", "unit"),
        "objective_id": id_filter("Only the handoffs that serve this objective.", "obj"),
        "priority": Annotated[s.Priority | None, Query(description="Only handoffs of this priority.")],
        "overdue": Annotated[bool | None, Query(description="Only handoffs with a clock past its deadline (or not).")],
        "link_url": Annotated[str | None, Query(max_length=2048)],
    },
    docs={
        "create": Operation(
            "Draft a handoff",
            "Draft a handoff from a unit to another (the sending side, or an integration token). Nothing runs\n"
            "until it is sent. Records `handoff.created`.",
        ),
        "list": Operation(
            "List handoffs",
            "Handoffs, a page at a time; filter by status, sending or addressed unit (or either), objective,\n"
            "priority, overdue, a link's URL, external reference or change time, now or `as_of` an instant.",
        ),
        "get": Operation(
            "Get a handoff", "One handoff with its status, clocks (`sla`) and history, now or at `as_of`."
        ),
        "update": Operation(
            "Edit a handoff (JSON merge patch)",
            "The sending side edits a draft. Once sent, only `checklist` (tick items), `links` and `external_refs`\n"
            "change, by either side (409 for the rest: forward or cancel it). Records `handoff.updated`.",
        ),
        "upsert": Operation(
            "Open or update the handoff that carries an external ref",
            "How a CRM opens a handoff itself, keyed by its own id (a won deal): created as a draft, updated\n"
            "while it is one; once sent, only its checklist, links and external refs follow the PUT.",
        ),
    },
)
POLICIES_COLLECTION = Collection(
    path="handoff-policies",
    noun="handoff_policy",
    plural="handoff_policies",
    tag="Handoffs",
    resource=s.Policy,
    create=s.PolicyCreate,
    patch=s.PolicyPatch,
    service=_service,
    write_scope=WRITE,
    history=False,
    docs={
        "create": Operation(
            "Create a handoff policy",
            "The deadlines a send sets where the sender gave none: `accept_within` and `complete_within` from\n"
            "the first send, for handoffs from a unit (or any) to a unit (or any). A policy naming both units\n"
            "wins over one naming the receiving unit, which wins over one naming the sender, then any.",
        ),
        "list": Operation("List handoff policies", "The organization's handoff policies."),
        "get": Operation("Get a handoff policy", "One handoff policy."),
        "update": Operation(
            "Update a handoff policy (JSON merge patch)", "Change a policy; sent handoffs keep theirs."
        ),
        "delete": Operation("Delete a handoff policy", "Delete a policy; sent handoffs keep their deadlines."),
    },
)

register(router, HANDOFFS_COLLECTION)

ACTIONS: dict[str, tuple[type[BaseModel], str, str]] = {
    "send": (s.NoBody, "Send a draft", "The sending side sends it: both clocks start at the first send, the\n"
             "fitting policy sets the deadlines left empty. Records `handoff.sent`."),
    "accept": (s.NoBody, "Accept a handoff", "The receiving side takes it: the accept clock stops. Records"
               " `handoff.accepted`."),
    "decline": (s.Decline, "Decline a handoff", "The receiving side declines it, with a reason code. Records"
                " `handoff.declined`."),
    "wait": (s.Wait, "Wait on the sender", "The receiving side waits on the sender (with a reason): the complete"
             " clock pauses. Records `handoff.waiting`."),
    "resume": (s.NoBody, "Resume after waiting", "The sending side answered: the complete clock runs again and\n"
               "`due_at` moves by the pause. Records `handoff.resumed`."),
    "forward": (s.Forward, "Forward to another unit", "The receiving side forwards it: it is `sent` to the new\n"
                "unit; the accept clock runs on; the first unit's segment ends. Records `handoff.forwarded`."),
    "complete": (s.NoBody, "Complete a handoff", "The receiving side completes it: every required checklist item\n"
                 "must be done (409 otherwise). Records `handoff.completed`."),
    "cancel": (s.Cancel, "Cancel a handoff", "The sending side cancels it (from draft, sent, accepted or waiting)."
               " Records `handoff.cancelled`."),
}  # fmt: skip


def _action_route(action: str, body_model: type[BaseModel], summary: str, description: str) -> None:
    async def endpoint(handoff_id: str, request: Request, uow: SqlUnitOfWork, body: Any = None) -> Response:
        fields = body.model_dump(exclude_unset=True) if body is not None else {}

        async def produce() -> Response:
            result = await _service(uow).act(handoff_id, action, fields, expected_version(request, handoff_id))
            return entity_response(result)

        return await idempotent(request, uow, uow.caller, produce, WRITE)

    takes_fields = any(f.is_required() for f in body_model.model_fields.values())
    body = inspect.Parameter(
        "body",
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Annotated[body_model, Body()] if takes_fields else Annotated[body_model | None, Body()],
        default=inspect.Parameter.empty if takes_fields else None,
    )
    params = [
        inspect.Parameter("handoff_id", inspect.Parameter.KEYWORD_ONLY, annotation=str),
        inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request),
        inspect.Parameter("uow", inspect.Parameter.KEYWORD_ONLY, annotation=UoW),
        body,
    ]
    endpoint.__signature__ = inspect.Signature(params, return_annotation=Response)  # type: ignore[attr-defined]
    router.add_api_route(
        f"/handoffs/{{handoff_id}}/{action}",
        endpoint,
        methods=["POST"],
        name=f"{action}_handoff",
        tags=HANDOFFS,
        summary=summary,
        description=description + "\n\nAny move the table does not allow from the handoff's status is a 409; the"
        " wrong side is a 403. Honours `If-Match` and `Idempotency-Key`.",
        response_model=s.Handoff,
    )


for _action, (_model, _summary, _description) in ACTIONS.items():
    _action_route(_action, _model, _summary, _description)


@router.get(
    "/handoffs/{handoff_id}/timeline",
    response_model=ListOf[s.TimelineEntry],
    tags=HANDOFFS,
    summary="Every transition of a handoff, with its clocks as they ran",
)
async def handoff_timeline(handoff_id: str, uow: UoW) -> Response:
    """Every transition (who, when, from, to, why) with the seconds each clock had run at that moment
    (pauses left out)."""
    return Json({"data": await _service(uow).timeline(handoff_id), "next_cursor": None})


@router.get(
    "/handoffs/{handoff_id}/comments",
    response_model=list_of(s.Comment),
    tags=HANDOFFS,
    summary="A handoff's comments",
)
async def handoff_comments(handoff_id: str, query: Listing, uow: UoW) -> Response:
    """The comments on a handoff, oldest first."""
    return page_body(await _service(uow).comments(handoff_id, query), lambda c: c.resource())


if TYPE_CHECKING:
    CommentCreate = BaseModel
else:  # a schema derived at runtime, named for FastAPI
    CommentCreate = s.CommentCreate


@router.post(
    "/handoffs/{handoff_id}/comments",
    response_model=s.Comment,
    status_code=201,
    tags=HANDOFFS,
    summary="Comment on a handoff",
)
async def comment_on_handoff(handoff_id: str, body: CommentCreate, request: Request, uow: UoW) -> Response:
    """Either side (or an integration token) comments; the author is recorded. Records
    `handoff.comment_added`. Honours `Idempotency-Key`."""

    async def produce() -> Response:
        comment = await _service(uow).add_comment(handoff_id, body.model_dump())
        return created(comment, f"handoffs/{handoff_id}/comments")

    return await idempotent(request, uow, uow.caller, produce, WRITE)


register(router, POLICIES_COLLECTION)


@router.get(
    "/analytics/handoffs",
    response_model=ListOf[s.PairAnalytics],
    tags=HANDOFFS,
    summary="How handoffs flow between each pair of units",
)
async def handoff_analytics(
    uow: UoW,
    period_start: Annotated[date, Query(description="The first day (the organization's time zone).")],
    period_end: Annotated[date, Query(description="The last day, included (a year at most after the first).")],
) -> Response:
    """Per directed pair of units, the handoffs offered in the period: the pair is the sending unit and the
    unit offered it (a forward counts for the forwarding unit and its new addressee). Counts by outcome
    (accepted, declined, forwarded, cancelled, pending), acceptance rate (accepted among those the unit
    decided: accepted, declined or forwarded), median and 90th percentile of the seconds to accept
    (nearest rank), overdue rate (offers during which a clock ran out), decline reasons. Computed by the
    database."""
    pairs = await _service(uow).analytics(period_start, period_end)
    return Json({"data": pairs, "next_cursor": None})
