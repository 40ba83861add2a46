"""Anonymity by construction. An anonymous item stores nothing that leads to its author: no author field,
an id that carries no time (`timeless_id`), times given to the day only (in the organization's time zone),
and events held until the day ends, then released in a batch in a random order under ids of that moment.

What needs the author for a while (one response per person, a daily limit on anonymous feedback, the
idempotency record of an anonymous create) uses a keyed hash: HMAC-SHA256 with a key of the survey's own,
the request's own or the day's, kept in `anonymity_keys` and deleted when the survey closes, the request
falls due or the day ends, with the marks made with it. Until then the server could hash each person of
the audience and see who answered (never what: marks are not linked to responses); after, not even that."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.domain.ports import UnitOfWork

RELEASE_JOB = "events.release"  # the timed job that releases held events (subject: RELEASE_SUBJECT)
RELEASE_SUBJECT = "held_events"
ANONYMOUS_DAILY_LIMIT = 20  # anonymous feedback items one person may give in a day


def today_in(zone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def day_start(day: date, zone: str) -> datetime:
    """The first instant of `day` in the time zone, in UTC: the only time an anonymous item shows."""
    return datetime.combine(day, time.min, ZoneInfo(zone)).astimezone(UTC)


def day_end(day: date, zone: str) -> datetime:
    return day_start(day + timedelta(days=1), zone)


def day_scope(day: date) -> str:
    return f"day:{day.isoformat()}"


async def mark_of(uow: UnitOfWork, scope: str, expires_at: datetime, who: str) -> str:
    """The keyed hash of `who` under the scope's key (made when first needed, deleted at `expires_at`)."""
    key = await uow.anonymity.key(scope, expires_at)
    if scope.startswith("day:"):  # the day's key goes when the day ends, with the release of its events
        await uow.jobs.schedule(RELEASE_JOB, RELEASE_SUBJECT, expires_at)
    return hmac.new(key, who.encode(), hashlib.sha256).hexdigest()


async def forget(uow: UnitOfWork, scope: str) -> None:
    """The scope's key and its marks, deleted: what they could tell is gone."""
    await uow.anonymity.drop(scope)
