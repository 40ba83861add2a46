"""Roles, role assignments and RACI entries: their fields (declared once, as data) and the rules on values
that need more than one field."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.domain.errors import ErrorList
from app.domain.fields import Field, check_fields, only, with_article, writable
from app.domain.model import ExternallyReferenced, Linked

LETTERS = ("R", "A", "C", "I")
LETTER_NAMES = {"R": "responsible", "A": "accountable", "C": "consulted", "I": "informed"}
SUBJECT_TYPES = ("objective", "key_result", "handoff", "unit")
PARTY_TYPES = ("person", "unit", "role")
INHERIT = ("none", "append")
# The id prefix of each kind of subject and party.
SUBJECT_PREFIX = {"objective": "obj", "key_result": "kr", "handoff": "ho", "unit": "unit"}
PARTY_PREFIX = {"person": "person", "unit": "unit", "role": "role"}
MAX_RESPONSIBILITIES = 50


@dataclass(kw_only=True)
class Role(Linked):
    name: str
    description: str | None = None
    responsibilities: list[str] = field(default_factory=list)
    unit_id: str | None = None  # the unit that owns the role (its definition), if any


@dataclass(kw_only=True)
class RoleAssignment(ExternallyReferenced):
    role_id: str
    person_id: str
    unit_id: str | None = None  # the scope: the role holds for this unit and those below it; None: everywhere
    starts_on: date | None = None
    ends_on: date | None = None

    def active_on(self, day: date) -> bool:
        return (self.starts_on is None or self.starts_on <= day) and (self.ends_on is None or self.ends_on >= day)


@dataclass(kw_only=True)
class RaciEntry(ExternallyReferenced):
    subject_type: str
    subject_id: str
    party_type: str
    party_id: str
    letter: str
    inherit: str = "none"  # append: a unit's entry also holds for the subjects of the units below it


LETTER = "R responsible, A accountable (at most one A entry per subject), C consulted, I informed."
SCOPE = "The unit the role is held for: it holds for that unit's subjects and those below it. Null: everywhere."
ROLE_FIELDS = (
    Field("name", "name", required=True, nullable=False, example="Controller"),
    Field("description", "text", limit=10_000, example="Keeps the books"),
    Field(
        "responsibilities",
        "lines",
        nullable=False,
        max_items=MAX_RESPONSIBILITIES,
        limit=500,
        example=["Close the month", "Approve spend over 10k"],
        description="What the role does, a line each (at most 50 lines of 500 characters).",
    ),
    Field("unit_id", "ref", prefix="unit", description="The unit that owns the role's definition."),
    Field("links", "links", nullable=False),
    Field("external_refs", "external_refs", nullable=False),
)
ROLE_ASSIGNMENT_FIELDS = (
    Field("role_id", "ref", required=True, prefix="role", nullable=False),
    Field("person_id", "ref", required=True, prefix="person", nullable=False),
    Field("unit_id", "ref", prefix="unit", description=SCOPE),
    Field("starts_on", "date", example="2026-07-01", description="The first day it runs; null: from always."),
    Field(
        "ends_on",
        "date",
        not_before="starts_on",
        example="2026-12-31",
        description="The last day it runs; null: until further notice. Setting it ends the assignment.",
    ),
    Field("external_refs", "external_refs", nullable=False),
)
RACI_FIELDS = (
    Field("subject_type", "choice", required=True, choices=SUBJECT_TYPES, nullable=False),
    Field(
        "subject_id",
        "name",
        required=True,
        limit=40,
        nullable=False,
        example="obj_01J9Z3Q4K6W8X2Y5V7T9R1M3N5",
        description="The id of the objective, key result, handoff or unit.",
    ),
    Field("party_type", "choice", required=True, choices=PARTY_TYPES, nullable=False),
    Field(
        "party_id",
        "name",
        required=True,
        limit=40,
        nullable=False,
        example="role_01J9Z3Q4K6W8X2Y5V7T9R1M3N5",
        description="The id of the person, unit or role.",
    ),
    Field("letter", "choice", required=True, choices=LETTERS, nullable=False, example="A", description=LETTER),
    Field(
        "inherit",
        "choice",
        choices=INHERIT,
        nullable=False,
        description="`append`: a unit's entry also holds for the subjects of the units below it (their"
        " objectives, key results and handoffs). Only a unit's entries are inherited.",
    ),
    Field("external_refs", "external_refs", nullable=False),
)
ROLE_WRITABLE = writable(ROLE_FIELDS)
# Who holds which role is the assignment: its role and person are fixed at creation (end it, make another).
ROLE_ASSIGNMENT_WRITABLE = ("unit_id", "starts_on", "ends_on", "external_refs")
# An entry's subject and party are what it is: only its letter and inheritance change.
RACI_WRITABLE = ("letter", "inherit", "external_refs")
ROLE_ASSIGNMENT_CHANGEABLE = only(ROLE_ASSIGNMENT_FIELDS, ROLE_ASSIGNMENT_WRITABLE)
RACI_CHANGEABLE = only(RACI_FIELDS, RACI_WRITABLE)
ROLE_DEFAULTS: dict[str, Any] = {"responsibilities": [], "links": [], "external_refs": {}}
ROLE_ASSIGNMENT_DEFAULTS: dict[str, Any] = {"external_refs": {}}
RACI_DEFAULTS: dict[str, Any] = {"inherit": "none", "external_refs": {}}


def check_role(fields: dict[str, Any], *, creating: bool) -> None:
    errors = ErrorList()
    check_fields(fields, ROLE_FIELDS, errors, creating=creating)
    errors.raise_if_any()


def check_role_assignment(fields: dict[str, Any], *, creating: bool) -> None:
    errors = ErrorList()
    check_fields(fields, ROLE_ASSIGNMENT_FIELDS, errors, creating=creating)
    errors.raise_if_any()


def check_raci(fields: dict[str, Any], *, creating: bool) -> None:
    errors = ErrorList()
    check_fields(fields, RACI_FIELDS, errors, creating=creating)
    subject_type, party_type = fields.get("subject_type"), fields.get("party_type")
    for name, kind, prefixes in (
        ("subject_id", subject_type, SUBJECT_PREFIX),
        ("party_id", party_type, PARTY_PREFIX),
    ):
        value = fields.get(name)
        if kind in prefixes and isinstance(value, str) and not value.startswith(prefixes[kind] + "_"):
            errors.add(f"/{name}", f"must be the id of {with_article(kind)} ({prefixes[kind]}_…)")
    if fields.get("inherit") == "append" and subject_type in SUBJECT_TYPES and subject_type != "unit":
        errors.add("/inherit", "only a unit's entries are inherited (by the subjects of the units below it)")
    errors.raise_if_any()
