"""Units, people and memberships, and the rules on their fields."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from app.domain.errors import ErrorList
from app.domain.fields import Field, check_fields, only, writable
from app.domain.model import ExternallyReferenced, Linked

UNIT_KINDS = ("company", "division", "department", "team", "project")
PERSON_STATUSES = ("active", "inactive")
MEMBERSHIP_KINDS = ("member", "rotation", "training")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")  # with fullmatch


@dataclass(kw_only=True)
class Unit(Linked):
    name: str
    kind: str
    parent_id: str | None = None
    lead_person_id: str | None = None


@dataclass(kw_only=True)
class Person(ExternallyReferenced):
    given_name: str
    family_name: str
    email: str | None = None  # a person needs an email or a user name (people an identity provider sends)
    user_name: str | None = None  # the sign-in name an identity provider knows the person by (SCIM userName)
    title: str | None = None
    department: str | None = None  # as an HR system or identity provider names it (a label; units are the chart)
    manager_id: str | None = None
    status: str = "active"
    # Whether an identity provider ended its link (DELETE /scim/v2/Users/{id}: the person stays, inactive).
    scim_ended: bool = False

    private_fields: ClassVar[frozenset[str]] = frozenset({"organization_id", "scim_ended"})

    @property
    def sign_in_name(self) -> str:
        """The person's SCIM userName: their user name, else their email."""
        return self.user_name or self.email or ""


@dataclass(kw_only=True)
class Membership(ExternallyReferenced):
    person_id: str
    unit_id: str
    title: str | None = None
    kind: str = "member"
    primary: bool = False
    starts_on: date | None = None
    ends_on: date | None = None

    def active_on(self, day: date) -> bool:
        return (self.starts_on is None or self.starts_on <= day) and (self.ends_on is None or self.ends_on >= day)


def email_key(email: str) -> str:
    """Emails are unique per organization whatever their case (user names too)."""
    return email.strip().lower()


def key_or_none(value: str | None) -> str | None:
    return None if value is None else email_key(value)


# The writable fields of units, people and memberships and their constraints, declared once: the checks
# below and the GraphQL inputs come from here. `required`: a creation must give it (a field with a default
# is filled before the check, and is not).
UNIT_DECLARED = (
    Field("name", "name", required=True, nullable=False, example="Sales"),
    Field("kind", "choice", required=True, choices=UNIT_KINDS, nullable=False, example="department"),
    Field("parent_id", "ref", prefix="unit", description="The unit it sits under; null for a root unit."),
    Field("lead_person_id", "ref", prefix="person", description="The person who leads it."),
    Field("external_refs", "external_refs"),  # a merge patch's null clears them
    Field("links", "links"),
)
PERSON_DECLARED = (
    Field("given_name", "name", required=True, nullable=False, example="Ada"),
    Field("family_name", "name", required=True, nullable=False, example="Lovelace"),
    Field(
        "email",
        "name",
        limit=320,
        example="ada@example.com",
        description="Unique per organization whatever its case. Required unless the person has a `user_name`"
        " (people an identity provider provisions).",
    ),  # checked by check_person
    Field(
        "user_name",
        "name",
        limit=255,
        description="The sign-in name an identity provider knows the person by (SCIM `userName`); unique per"
        " organization whatever its case.",
    ),
    Field("department", "name", description="The department as an HR system or identity provider names it."),
    Field("title", "name", example="Account executive"),
    Field("manager_id", "ref", prefix="person", description="Their manager; a chain that would loop is a 409."),
    Field(
        "status",
        "choice",
        choices=PERSON_STATUSES,
        nullable=False,
        kept=True,
        description="Active unless given; a PUT that leaves it out keeps it (a feed without statuses does not"
        " bring back who left).",
    ),
    Field("external_refs", "external_refs"),
)
MEMBERSHIP_DECLARED = (
    Field("person_id", "ref", required=True, prefix="person", nullable=False),
    Field("unit_id", "ref", required=True, prefix="unit", nullable=False),
    Field("title", "name", description="The person's title in this unit.", example="Tech lead"),
    Field("kind", "choice", choices=MEMBERSHIP_KINDS, nullable=False),  # member unless given
    Field("primary", "bool", nullable=False, description="The person's primary unit (at most one at a time)."),
    Field("starts_on", "date", description="The first day; null: from always.", example="2026-07-01"),
    Field(
        "ends_on",
        "date",
        not_before="starts_on",
        example="2026-12-31",
        description="The last day; null: until further notice.",
    ),
    Field("external_refs", "external_refs"),
)

# What a creation takes when a field is absent (the services fill them before the check).
UNIT_DEFAULTS: dict[str, Any] = {"external_refs": {}, "links": []}
PERSON_DEFAULTS: dict[str, Any] = {"status": "active", "external_refs": {}}
MEMBERSHIP_DEFAULTS: dict[str, Any] = {"kind": "member", "primary": False, "external_refs": {}}
# Who and where are a membership: set on creation (end it, make another); the rest changes.
MEMBERSHIP_CHANGEABLE = only(
    MEMBERSHIP_DECLARED, [n for n in writable(MEMBERSHIP_DECLARED) if n not in ("person_id", "unit_id")]
)


def check_unit(fields: dict[str, Any], errors: ErrorList, pointer: str = "", *, creating: bool) -> None:
    check_fields(fields, UNIT_DECLARED, errors, pointer, creating=creating)


def check_person(fields: dict[str, Any], errors: ErrorList, pointer: str = "", *, creating: bool) -> None:
    check_fields(fields, PERSON_DECLARED, errors, pointer, creating=creating)
    # An email, unless the person has a user name (identity providers may provision people without one).
    if creating and fields.get("email") is None and fields.get("user_name") is None:
        errors.add(f"{pointer}/email", "is required" if "email" not in fields else "must not be null", "required")
    if isinstance(fields.get("email"), str) and not EMAIL_RE.fullmatch(fields["email"].strip()):
        errors.add(f"{pointer}/email", "is not an email address")


def check_membership(fields: dict[str, Any], errors: ErrorList, pointer: str = "", *, creating: bool) -> None:
    check_fields(fields, MEMBERSHIP_DECLARED, errors, pointer, creating=creating)


def periods_overlap(a: Membership, b: Membership) -> bool:
    a_start, b_start = a.starts_on or date.min, b.starts_on or date.min
    a_end, b_end = a.ends_on or date.max, b.ends_on or date.max
    return a_start <= b_end and b_start <= a_end
