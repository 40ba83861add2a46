"""Reading the event log: what changed, so that a consumer can catch up without a full re-read."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.errors import Invalid, NotFound
from app.domain.events import Event, expand_patterns, is_known_pattern
from app.domain.model import ListQuery, Page
from app.domain.ports import UnitOfWork
from app.domain.principal import Principal


class EventFeed:
    def __init__(self, uow: UnitOfWork, principal: Principal) -> None:
        self.uow, self.principal = uow, principal

    async def list(self, query: ListQuery, types: list[str] | None = None) -> Page[Event]:
        self.principal.require("events:read")
        unknown = [t for t in types or [] if not is_known_pattern(t)]
        if unknown:
            raise Invalid(f"Unknown event types: {', '.join(unknown)} (exact names, `prefix.*` or `*`).")
        wanted = expand_patterns(types) if types else None
        if wanted == []:  # a family whose events do not exist yet
            return Page(items=[], next_after=None)
        return await self.uow.events.list(query, wanted)

    async def get(self, event_id: str) -> Event:
        self.principal.require("events:read")
        event = await self.uow.events.get(event_id)
        if event is None:
            raise NotFound(f"No event {event_id}.")
        return event

    async def of_subjects(
        self, subject_ids: Sequence[str], query: ListQuery, types: Sequence[str] | None = None
    ) -> Page[Event]:
        """The events about these subjects (an objective's include its key results' and check-ins'), with the
        log's own rules."""
        self.principal.require("events:read")
        unknown = [t for t in types or [] if not is_known_pattern(t)]
        if unknown:
            raise Invalid(f"Unknown event types: {', '.join(unknown)} (exact names, `prefix.*` or `*`).")
        wanted = expand_patterns(list(types)) if types else None
        if wanted == [] or not subject_ids:
            return Page(items=[], next_after=None)
        return await self.uow.events.of_subjects(subject_ids, query, wanted)
