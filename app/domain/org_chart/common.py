"""What the org chart's use cases share: the scopes, the writable fields, paging of the past, and the
base every use-case class stands on (the caller's organization, the events it records)."""

from __future__ import annotations

from app.domain.changes import refuse_read_only
from app.domain.errors import FieldError, Invalid
from app.domain.fields import writable
from app.domain.model import matches_query, page_in_memory
from app.domain.org_chart.model import MEMBERSHIP_CHANGEABLE, MEMBERSHIP_DECLARED
from app.domain.principal import Principal
from app.domain.usecases import UseCases

__all__ = ["matches_query", "page_in_memory", "refuse_read_only"]  # the org chart's modules take them from here

READ, WRITE = "org:read", "org:write"
UNIT_FIELDS = ("name", "kind", "parent_id", "lead_person_id", "external_refs", "links")
PERSON_FIELDS = (
    "given_name",
    "family_name",
    "email",
    "user_name",
    "title",
    "department",
    "manager_id",
    "status",
    "external_refs",
)
MEMBERSHIP_FIELDS = writable(MEMBERSHIP_DECLARED)
MEMBERSHIP_MUTABLE = writable(MEMBERSHIP_CHANGEABLE)


class OrgChartBase(UseCases):
    @staticmethod
    def readable_organization(principal: Principal) -> str:
        """The organization whose org chart this caller may read; Forbidden when it may read none. Every
        read applies it."""
        principal.require(READ)
        return principal.require_organization()


def bounded(count: int, max_units: int, pointer: str) -> None:
    """One answer carries at most `max_units` units (LIAISON_ORG_CHART_MAX_UNITS)."""
    if count > max_units:
        raise Invalid(
            f"The answer would hold {count} units, more than the {max_units} one answer carries: narrow it with"
            " root_id or max_depth, or page through /v1/units.",
            [FieldError(pointer, f"more than {max_units} units", "too_large")],
        )
