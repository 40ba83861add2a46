"""Calendar feeds: created, listed and revoked with a token; read by calendar apps at their secret URL."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.api.conventions import ListOf, PlainListing, entity_response, idempotent, page_body
from app.api.deps import LiaisonRoute, UoW
from app.api.schemas.calendars import CalendarFeed, CalendarFeedCreate, CalendarFeedWithUrl
from app.api.schemas.common import PROBLEM_RESPONSES
from app.domain.calendars.model import feed_id_of
from app.domain.calendars.service import READ, CalendarFeeds
from app.domain.errors import Conflict, NotFound
from app.domain.principal import Principal

router = APIRouter(route_class=LiaisonRoute, prefix="/v1", tags=["Calendars"], responses=PROBLEM_RESPONSES)


def _key(request: Request) -> str:
    key = request.app.state.settings.jwt_secret
    if not key:
        raise Conflict("Calendar feeds are signed with LIAISON_JWT_SECRET, which this Liaison does not set.")
    return str(key)


@router.post("/calendar-feeds", status_code=201, response_model=CalendarFeedWithUrl, summary="Create a calendar feed")
async def create_calendar_feed(body: CalendarFeedCreate, request: Request, uow: UoW) -> Response:
    """A unit's or a person's dates (handoffs due and to accept, objectives' periods and check-ins, surveys
    closing) at a secret URL a calendar app subscribes to. The URL is in this answer only."""
    url: dict[str, str] = {}

    async def produce() -> Response:
        feed, token = await CalendarFeeds(uow, uow.caller).create(body.model_dump(), _key(request))
        url["url"] = str(request.base_url).rstrip("/") + f"/v1/calendar/{token}.ics"
        return entity_response(feed, 201, {**feed.resource(), **url}, {"Location": f"/v1/calendar-feeds/{feed.id}"})

    return await idempotent(request, uow, uow.caller, produce, READ, redact=("url",))


@router.get("/calendar-feeds", response_model=ListOf[CalendarFeed], summary="List calendar feeds")
async def list_calendar_feeds(query: PlainListing, uow: UoW) -> Response:
    """The organization's calendar feeds, without their URLs."""
    return page_body(await CalendarFeeds(uow, uow.caller).page(query), lambda f: f.resource())


@router.get("/calendar-feeds/{feed_id}", response_model=CalendarFeed, summary="Get a calendar feed")
async def get_calendar_feed(feed_id: str, uow: UoW) -> Response:
    """One calendar feed, without its URL."""
    return entity_response(await CalendarFeeds(uow, uow.caller).get(feed_id))


@router.delete("/calendar-feeds/{feed_id}", status_code=204, summary="Revoke a calendar feed")
async def delete_calendar_feed(feed_id: str, uow: UoW) -> Response:
    """The feed's URL answers 404 from now on."""
    await CalendarFeeds(uow, uow.caller).delete(feed_id)
    return Response(status_code=204)


ICS_EXAMPLE = (
    "BEGIN:VCALENDAR\r\nPRODID:-//Liaison//Calendar feed//EN\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n"
    "UID:handoff-ho_01J9Z3Q4K6W8X2Y5V7T9R1M3N5-due@liaison\r\nSUMMARY:Due: Acme renewal\r\n"
    "DTSTART;TZID=Europe/Paris:20260403T170000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
public = APIRouter(prefix="/v1", tags=["Calendars"], responses=PROBLEM_RESPONSES)


@public.get(
    "/calendar/{feed_token}.ics",
    summary="A calendar feed (iCalendar; the URL is the credential)",
    response_class=Response,
    responses={
        200: {
            "content": {"text/calendar": {"schema": {"type": "string"}, "example": ICS_EXAMPLE}},
            "description": "RFC 5545 iCalendar.",
        }
    },
)
async def read_calendar_feed(feed_token: str, request: Request) -> Response:
    """What a calendar app polls: no bearer token (calendar apps cannot send one); the URL's token is the
    feed's id signed by this service. A revoked feed, or a token that does not verify, answers 404. Access
    logs name this route by its template, never by the URL that holds the token."""
    feed_id = feed_id_of(feed_token, _key(request))
    db = request.app.state.db
    if feed_id is not None:
        async with db.system_unit_of_work() as system:
            feed = await system.calendar_feeds.find_anywhere(feed_id)
        if feed is not None:
            reader = Principal(
                subject=f"calendar-feed:{feed.id}", organization_id=feed.organization_id, scopes=frozenset()
            )
            async with db.unit_of_work(feed.organization_id, write=False, caller=reader) as uow:
                body = await CalendarFeeds(uow, reader).ics(feed)
            return Response(
                body, media_type="text/calendar; charset=utf-8", headers={"Cache-Control": "private, max-age=300"}
            )
    raise NotFound("No such calendar feed (revoked, or the URL is not one Liaison made).")


# Calendar apps probe a subscription with HEAD: the same answer without its body (not in the document).
public.add_api_route(
    "/calendar/{feed_token}.ics", read_calendar_feed, methods=["HEAD"], include_in_schema=False, response_class=Response
)
