"""A feed's entries as an RFC 5545 iCalendar (the `icalendar` package writes it): instants in the
organization's time zone (with its VTIMEZONE), days as all-day events, one stable UID per entry."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from app.domain.calendars.model import Entry


def to_ics(entries: Iterable[Entry], name: str, zone: str, now: datetime) -> bytes:
    tz = ZoneInfo(zone)
    calendar = Calendar()
    calendar.add("prodid", "-//Liaison//Calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone)
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", now)
        event.add("summary", entry.summary)
        event.add("dtstart", _local(entry.start, tz))
        if entry.end is not None:
            event.add("dtend", _local(entry.end, tz))
        if entry.description:
            event.add("description", entry.description)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _local(value: object, tz: ZoneInfo) -> object:
    return value.astimezone(tz) if isinstance(value, datetime) else value
