from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.api.conventions import Json, ListOf, PlainListing, only, page_body
from app.api.deps import LiaisonRoute, UoW
from app.api.schemas.common import PROBLEM_RESPONSES
from app.api.schemas.platform import Event
from app.domain.feed import EventFeed
from app.domain.model import ListQuery

router = APIRouter(route_class=LiaisonRoute, prefix="/v1/events", tags=["Events"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=ListOf[Event], summary="List events, oldest first (events:read)")
async def list_events(
    query: PlainListing,
    uow: UoW,
    type: Annotated[list[str] | None, Query(description="Event types, repeated or comma-separated.")] = None,
    after: Annotated[str | None, Query(description="Only events after this event id.")] = None,
) -> Response:
    """The organization's event log, oldest first: every change, with the object as it stood after it. Page
    with `cursor`, or poll with `after`.
    """
    if after and not query.after:
        query = ListQuery(limit=query.limit, after=after, updated_since=query.updated_since)
    page = await EventFeed(uow, uow.caller).list(query, only(type))
    return page_body(page, lambda e: e.resource())


@router.get("/{event_id}", response_model=Event, summary="Get an event (events:read)")
async def get_event(event_id: str, uow: UoW) -> Response:
    """One event of the log."""
    return Json((await EventFeed(uow, uow.caller).get(event_id)).resource())
