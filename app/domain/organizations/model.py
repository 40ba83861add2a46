from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

from app.domain.errors import ErrorList
from app.domain.model import Entity
from app.domain.text import name_problem

SLUG_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")  # with fullmatch


@dataclass(kw_only=True)
class Organization(Entity):
    """A tenant. Its own id is its organization_id."""

    name: str
    slug: str
    time_zone: str = "UTC"  # IANA: the organization's day (periods, cadences, anonymous dates, calendars)

    private_fields: ClassVar[frozenset[str]] = frozenset({"organization_id"})


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def time_zone_ok(value: Any) -> bool:
    """An IANA time zone name this machine knows (`Europe/Paris`, `UTC`)."""
    return isinstance(value, str) and value in _zones()


def check_organization(name: Any, slug: Any, time_zone: Any = "UTC") -> None:
    errors = ErrorList()
    if not time_zone_ok(time_zone):
        errors.add("/time_zone", "must be an IANA time zone name, such as Europe/Paris or UTC")
    problem = name_problem(name, 200)
    if problem:
        errors.add("/name", problem)
    if not isinstance(slug, str) or not SLUG_RE.fullmatch(slug):
        errors.add("/slug", "must be lowercase letters, digits and inner hyphens, at most 64 characters")
    errors.raise_if_any()
