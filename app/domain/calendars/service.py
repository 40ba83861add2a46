"""Calendar feeds' use cases: create (the URL is in that answer only), list, get, delete (revokes), and the
feed itself: the dates of the owner's open handoffs (accept-by and due), objectives (their period, the
next check-in of each key result) and surveys (their closing), in the organization's time zone."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from app.domain.calendars.ics import to_ics
from app.domain.calendars.model import AREAS, OWNER_TYPES, CalendarFeed, Entry, feed_token
from app.domain.errors import ErrorList, Forbidden, NotFound
from app.domain.model import ListQuery, Page, every_page
from app.domain.objectives.reminders import first_due
from app.domain.usecases import UseCases

READ, WRITE = "org:read", "org:write"
OPEN_HANDOFFS = ("sent", "accepted", "waiting")
LIVE_OBJECTIVES = ("draft", "active")
LIVE_SURVEYS = ("scheduled", "open")


class CalendarFeeds(UseCases):
    async def create(self, fields: dict[str, Any], key: str) -> tuple[CalendarFeed, str]:
        """The feed, and its URL's token (shown this once). It holds what its creator may read: each area
        whose read scope the token has; a person's feed is made by that person, or by a token that may
        read the org chart on their behalf (not one acting as someone else)."""
        self._org(READ)
        errors = ErrorList()
        self._may_manage(fields.get("owner_type"), fields.get("owner_id"))
        if fields.get("owner_type") not in OWNER_TYPES:
            errors.add("/owner_type", f"must be one of: {', '.join(OWNER_TYPES)}")
        owner_id = fields.get("owner_id")
        if not isinstance(owner_id, str) or not owner_id:
            errors.add("/owner_id", "is required", "required")
        errors.raise_if_any()
        owner_type = str(fields["owner_type"])
        found = await (self.uow.units if owner_type == "unit" else self.uow.people).get(str(owner_id))
        if found is None:
            errors.add("/owner_id", f"no such {owner_type} in this organization", "not_found")
            errors.raise_if_any()
        areas = [area for area, scope in AREAS.items() if self.principal.has(scope)]
        if not areas:
            raise Forbidden("This token may read no area a calendar feed holds (handoffs, objectives, surveys).")
        feed = self._new(CalendarFeed, "calfeed", owner_type=owner_type, owner_id=str(owner_id), areas=areas)
        await self._add(self.uow.calendar_feeds, feed, "calendar_feed.created")
        return feed, feed_token(feed.id, key)

    def _may_manage(self, owner_type: Any, owner_id: Any) -> None:
        """A token acting as a person makes and revokes that person's feeds only; another token needs
        org:write (a feed is a lasting credential to the owner's dates)."""
        acting = self.principal.person_id
        if acting is not None:
            if owner_type != "person" or owner_id != acting:
                raise Forbidden("A token acting as a person makes and revokes that person's calendar feeds only.")
            return
        self.principal.require(WRITE)

    def _visible(self, feed: CalendarFeed | None) -> bool:
        """A token acting as a person sees that person's feeds only."""
        acting = self.principal.person_id
        return feed is not None and (acting is None or (feed.owner_type == "person" and feed.owner_id == acting))

    async def get(self, feed_id: str) -> CalendarFeed:
        self._org(READ)
        feed = await self.uow.calendar_feeds.get(feed_id)
        if feed is None or not self._visible(feed):
            raise NotFound(f"No calendar feed {feed_id}.")
        return feed

    async def page(self, query: ListQuery) -> Page[CalendarFeed]:
        self._org(READ)
        acting = self.principal.person_id
        if acting is not None:
            query = replace(query, filters={**query.filters, "owner_type": "person", "owner_id": acting})
        return await self.uow.calendar_feeds.list(query)

    async def delete(self, feed_id: str) -> None:
        """Revokes the feed: its URL answers 404 from now on."""
        feed = await self.get(feed_id)
        self._may_manage(feed.owner_type, feed.owner_id)
        await self.uow.calendar_feeds.delete(feed)
        self._record("calendar_feed.deleted", feed.resource())

    # --- the feed itself (no caller: the URL is the credential; read in the feed's organization) ---------

    async def entries(self, feed: CalendarFeed) -> list[Entry]:
        zone = await self.time_zone()
        now = self.clock.now()
        units, person = await self._scope(feed)
        out: list[Entry] = []
        if "handoffs" in feed.areas:
            out += await self._handoffs(units, person)
        if "objectives" in feed.areas:
            out += await self._objectives(units, person, zone, now)
        if "surveys" in feed.areas:
            out += await self._surveys(units)
        return sorted(out, key=lambda e: e.uid)

    async def ics(self, feed: CalendarFeed) -> bytes:
        """The feed as a calendar app reads it: its entries, named after its owner, in the organization's
        time zone."""
        entries = await self.entries(feed)
        return to_ics(entries, await self.title(feed), await self.time_zone(), self.clock.now())

    async def title(self, feed: CalendarFeed) -> str:
        """What a calendar app names the feed: its owner's name."""
        if feed.owner_type == "unit":
            unit = await self.uow.units.get(feed.owner_id)
            return f"Liaison: {unit.name if unit else feed.owner_id}"
        person = await self.uow.people.get(feed.owner_id)
        return f"Liaison: {f'{person.given_name} {person.family_name}' if person else feed.owner_id}"

    async def _scope(self, feed: CalendarFeed) -> tuple[list[str], str | None]:
        """The units whose work the feed shows (a person's: those they belong to today), and the person."""
        if feed.owner_type == "unit":
            return [feed.owner_id], None
        today = self.clock.now().date()
        memberships = await self.uow.memberships.of_people([feed.owner_id])
        return sorted({m.unit_id for m in memberships if m.active_on(today)}), feed.owner_id

    async def _all(self, repo: Any, **filters: Any) -> list[Any]:
        return await every_page(repo, ListQuery(limit=200, filters=filters))

    async def _handoffs(self, units: list[str], person: str | None) -> list[Entry]:
        found: dict[str, Any] = {}
        if person is None:  # a unit's: sent by it or addressed to it
            for unit_id in units:
                found |= {h.id: h for h in await self._all(self.uow.handoffs, either_unit_id=unit_id)}
        else:  # a person's: sent by them or addressed to them
            for name in ("from_person_id", "to_person_id"):
                found |= {h.id: h for h in await self._all(self.uow.handoffs, **{name: person})}
        out = []
        for h in found.values():
            if h.status not in OPEN_HANDOFFS:
                continue
            if h.accept_by is not None and h.status == "sent":
                out.append(Entry(f"handoff-{h.id}-accept@liaison", f"Accept by: {h.title}", h.accept_by))
            if h.due_at is not None:
                out.append(Entry(f"handoff-{h.id}-due@liaison", f"Due: {h.title}", h.due_at, None, h.summary))
        return out

    async def _objectives(self, units: list[str], person: str | None, zone: str, now: datetime) -> list[Entry]:
        found: dict[str, Any] = {}
        if person is None:
            for unit_id in units:
                found |= {o.id: o for o in await self._all(self.uow.objectives, involves_unit_id=unit_id)}
            key_results = await self.uow.key_results.in_column("objective_id", list(found))
        else:
            found = {o.id: o for o in await self._all(self.uow.objectives, owner_person_id=person)}
            key_results = await self.uow.key_results.in_column("owner_person_id", [person])
            key_results += await self.uow.key_results.in_column("objective_id", list(found))
        live = {i: o for i, o in found.items() if o.status in LIVE_OBJECTIVES}
        out = [
            Entry(
                f"objective-{o.id}-period@liaison",
                f"Objective: {o.title}",
                o.period_start,
                date.fromordinal(o.period_end.toordinal() + 1),
                o.description,
            )
            for o in live.values()
        ]
        others = sorted({k.objective_id for k in key_results} - set(found))  # a person's key results elsewhere
        found |= {o.id: o for o in await self.uow.objectives.get_many(others)} if others else {}
        for kr in {k.id: k for k in key_results}.values():
            objective = found.get(kr.objective_id)
            if kr.check_in_cadence == "none" or objective is None or objective.status not in LIVE_OBJECTIVES:
                continue
            anchor = kr.last_check_in_at or kr.created_at
            due = first_due(anchor, kr.check_in_cadence, zone, now)
            out.append(Entry(f"key_result-{kr.id}-check-in@liaison", f"Check-in due: {kr.title}", due))
        return out

    async def _surveys(self, units: list[str]) -> list[Entry]:
        wanted = set(units)
        if wanted:
            wanted |= {a.id for chain in (await self.uow.units.ancestors_of(sorted(wanted))).values() for a in chain}
        out = []
        for s in await self._all(self.uow.surveys):
            if (
                s.status in LIVE_SURVEYS
                and s.closes_at is not None
                and (wanted & set(s.audience_unit_ids) or s.about_unit_id in units)
            ):
                out.append(Entry(f"survey-{s.id}-closes@liaison", f"Survey closes: {s.title}", s.closes_at))
        return out
