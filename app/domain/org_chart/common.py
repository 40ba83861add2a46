"""What the org chart's use cases share: the scopes, the writable fields, paging of the past, and the
base every use-case class stands on (the caller's organization, the events it records)."""

from __future__ import annotations

from typing import Any

from app.domain.changes import record
from app.domain.clock import SYSTEM_CLOCK
from app.domain.errors import FieldError, Invalid
from app.domain.model import ListQuery, Page
from app.domain.ports import Clock, UnitOfWork
from app.domain.principal import Principal

READ, WRITE = "org:read", "org:write"
UNIT_FIELDS = ("name", "kind", "parent_id", "lead_person_id", "external_refs", "links")
PERSON_FIELDS = ("given_name", "family_name", "email", "title", "manager_id", "status", "external_refs")
MEMBERSHIP_FIELDS = ("person_id", "unit_id", "title", "kind", "primary", "starts_on", "ends_on", "external_refs")
MEMBERSHIP_MUTABLE = ("title", "kind", "primary", "starts_on", "ends_on", "external_refs")


def refuse_read_only(patch: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(patch) - set(allowed))
    if unknown:
        raise Invalid(
            "Some fields cannot be changed.", [FieldError(f"/{k}", "cannot be changed", "read_only") for k in unknown]
        )


def page_in_memory(items: list[Any], query: ListQuery) -> Page[Any]:
    """Keyset paging over objects already in memory (reads of the past)."""
    rest = sorted((x for x in items if not query.after or x.id > query.after), key=lambda x: x.id)
    chosen = rest[: query.limit]
    return Page(chosen, chosen[-1].id if len(rest) > query.limit else None)


def matches_query(item: Any, query: ListQuery) -> bool:
    if query.updated_since is not None and item.updated_at < query.updated_since:
        return False
    if query.external_ref is not None and item.external_refs.get(query.external_ref[0]) != query.external_ref[1]:
        return False
    return all(
        any(link.get("url") == v for link in getattr(item, "links", ())) if k == "link_url" else getattr(item, k) == v
        for k, v in query.filters.items()
    )


class OrgChartBase:
    def __init__(self, uow: UnitOfWork, principal: Principal, clock: Clock = SYSTEM_CLOCK) -> None:
        self.uow, self.principal, self.clock = uow, principal, clock

    def _org(self, scope: str) -> str:
        self.principal.require(scope)
        return self.principal.require_organization()

    @staticmethod
    def readable_organization(principal: Principal) -> str:
        """The organization whose org chart this caller may read; Forbidden when it may read none. Every
        read applies it."""
        principal.require(READ)
        return principal.require_organization()

    def _record(self, event_type: str, obj: dict[str, Any], previous: dict[str, Any] | None = None) -> None:
        record(self.uow, self.principal, self.clock, event_type, obj, self.principal.require_organization(), previous)


def bounded(count: int, max_units: int, pointer: str) -> None:
    """One answer carries at most `max_units` units (LIAISON_ORG_CHART_MAX_UNITS)."""
    if count > max_units:
        raise Invalid(
            f"The answer would hold {count} units, more than the {max_units} one answer carries: narrow it with"
            " root_id or max_depth, or page through /v1/units.",
            [FieldError(pointer, f"more than {max_units} units", "too_large")],
        )
