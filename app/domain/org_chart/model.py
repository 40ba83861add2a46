"""Units, people and memberships, and the rules on their fields."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from app.domain.errors import ErrorList
from app.domain.model import ExternallyReferenced, Linked, check_external_refs, check_links
from app.domain.text import name_problem

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


def _present(errors: ErrorList, fields: dict[str, Any], name: str, pointer: str, *, required: bool) -> bool:
    """Whether the field holds a value to check; a required one that is absent or null is an error."""
    if fields.get(name) is not None:
        return True
    if required:
        errors.add(f"{pointer}/{name}", "is required" if name not in fields else "must not be null", "required")
    return False


def _text(errors: ErrorList, fields: dict[str, Any], name: str, pointer: str, *, required: bool, limit: int) -> None:
    if not _present(errors, fields, name, pointer, required=required):
        return
    problem = name_problem(fields[name], limit)
    if problem:
        errors.add(f"{pointer}/{name}", problem)


def _choice(
    errors: ErrorList, fields: dict[str, Any], name: str, pointer: str, choices: tuple[str, ...], *, required: bool
) -> None:
    """One of `choices`. A field that has a default is still required once the object exists: a merge
    patch's `null` would remove it, and no object may lack it."""
    if not _present(errors, fields, name, pointer, required=required):
        return
    if fields[name] not in choices:
        errors.add(f"{pointer}/{name}", f"must be one of: {', '.join(choices)}")


def _ref(errors: ErrorList, fields: dict[str, Any], name: str, pointer: str, prefix: str) -> None:
    value = fields.get(name)
    if value is not None and (not isinstance(value, str) or not value.startswith(prefix + "_")):
        errors.add(f"{pointer}/{name}", f"must be the id of a {prefix}")


def check_unit(fields: dict[str, Any], errors: ErrorList, pointer: str = "", *, creating: bool) -> None:
    _text(errors, fields, "name", pointer, required=creating, limit=200)
    _choice(errors, fields, "kind", pointer, UNIT_KINDS, required=creating)
    _ref(errors, fields, "parent_id", pointer, "unit")
    _ref(errors, fields, "lead_person_id", pointer, "person")
    if "external_refs" in fields:
        check_external_refs(fields["external_refs"], errors, f"{pointer}/external_refs")
    if "links" in fields:
        fields["links"] = check_links(fields["links"], errors, f"{pointer}/links")


def check_person(fields: dict[str, Any], errors: ErrorList, pointer: str = "", *, creating: bool) -> None:
    _text(errors, fields, "given_name", pointer, required=creating, limit=200)
    _text(errors, fields, "family_name", pointer, required=creating, limit=200)
    _text(errors, fields, "user_name", pointer, required=False, limit=255)
    # An email, unless the person has a user name (identity providers may provision people without one).
    _text(errors, fields, "email", pointer, required=creating and fields.get("user_name") is None, limit=320)
    if isinstance(fields.get("email"), str) and not EMAIL_RE.fullmatch(fields["email"].strip()):
        errors.add(f"{pointer}/email", "is not an email address")
    _text(errors, fields, "title", pointer, required=False, limit=200)
    _text(errors, fields, "department", pointer, required=False, limit=200)
    _choice(errors, fields, "status", pointer, PERSON_STATUSES, required=creating)
    _ref(errors, fields, "manager_id", pointer, "person")
    if "external_refs" in fields:
        check_external_refs(fields["external_refs"], errors, f"{pointer}/external_refs")


def check_membership(fields: dict[str, Any], errors: ErrorList, pointer: str = "", *, creating: bool) -> None:
    for name, prefix in (("person_id", "person"), ("unit_id", "unit")):
        if creating and not fields.get(name):
            errors.add(f"{pointer}/{name}", "is required", "required")
        _ref(errors, fields, name, pointer, prefix)
    _text(errors, fields, "title", pointer, required=False, limit=200)
    _choice(errors, fields, "kind", pointer, MEMBERSHIP_KINDS, required=creating)
    if _present(errors, fields, "primary", pointer, required=creating) and not isinstance(fields["primary"], bool):
        errors.add(f"{pointer}/primary", "must be true or false")
    starts, ends = fields.get("starts_on"), fields.get("ends_on")
    for name in ("starts_on", "ends_on"):
        if fields.get(name) is not None and not isinstance(fields[name], date):
            errors.add(f"{pointer}/{name}", "must be a date (YYYY-MM-DD)")
    if isinstance(starts, date) and isinstance(ends, date) and ends < starts:
        errors.add(f"{pointer}/ends_on", "must not be before starts_on")
    if "external_refs" in fields:
        check_external_refs(fields["external_refs"], errors, f"{pointer}/external_refs")


def periods_overlap(a: Membership, b: Membership) -> bool:
    a_start, b_start = a.starts_on or date.min, b.starts_on or date.min
    a_end, b_end = a.ends_on or date.max, b.ends_on or date.max
    return a_start <= b_end and b_start <= a_end
