"""Collaboration analytics: per pair of units, what they share over a period."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from app.api.conventions import CSV, Json, ListOf, wants_csv
from app.api.deps import LiaisonRoute, UoW
from app.api.schemas.collaboration import CollaborationPair
from app.api.schemas.common import PROBLEM_RESPONSES
from app.domain.collaboration import Collaboration, as_csv

router = APIRouter(route_class=LiaisonRoute, prefix="/v1", tags=["Handoffs"], responses=PROBLEM_RESPONSES)
CSV_EXAMPLE = "unit_a_id,unit_b_id,handoffs_a_to_b,…\\r\\nunit_01J9…,unit_01JA…,12,…\\r\\n"


@router.get(
    "/analytics/collaboration",
    response_model=ListOf[CollaborationPair],
    summary="Whether units work together: per pair, handoffs, shared objectives, survey scores, people",
    responses={200: {"content": {CSV: {"schema": {"type": "string"}, "example": CSV_EXAMPLE}}}},
)
async def collaboration_analytics(
    request: Request,
    uow: UoW,
    period_start: Annotated[date, Query(description="The first day (the organization's time zone).")],
    period_end: Annotated[date, Query(description="The last day, included (a year at most after the first).")],
    format: Annotated[
        Literal["json", "csv"] | None, Query(description="`csv` for a spreadsheet (or `Accept: text/csv`).")
    ] = None,
) -> Response:
    """Per pair of units (in id order) that share something in the period: the handoffs each way (as
    `/v1/analytics/handoffs` counts them), the objectives one owns and the other contributes to with their
    progress, survey scores where a survey about one unit was answered by the other's people (a group under
    the survey's threshold, and the next-smallest beside it, shows no score), and the people with a
    membership of both (by kind). Counted by the database; a section the token may not read is null."""
    pairs = await Collaboration(uow, uow.caller).pairs(period_start, period_end)
    if wants_csv(format, request.headers.get("accept", "")):
        return Response(as_csv(pairs), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="collaboration.csv"'})  # fmt: skip
    return Json({"data": pairs, "next_cursor": None})
