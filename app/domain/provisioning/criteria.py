"""What an identity provider may ask for when it searches people or units: a small tree of comparisons on
named attributes, which the repositories turn into one SQL statement. The SCIM edge builds it from a SCIM
filter (parsed by scim2-models); the names are the domain's, not SCIM's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OPERATORS = ("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le")

# The attributes a search may name, and the kind of value each holds.
PERSON_ATTRIBUTES = {
    "id": "text",
    "user_name": "text",  # the sign-in name: the user name, else the email
    "email": "text",
    "given_name": "text",
    "family_name": "text",
    "title": "text",
    "active": "bool",
    "external_id": "text",
    "department": "text",
    "manager_id": "text",
    "created_at": "instant",
    "updated_at": "instant",
}
UNIT_ATTRIBUTES = {
    "id": "text",
    "name": "text",
    "external_id": "text",
    "member_id": "text",  # a person with a running membership of the unit
    "created_at": "instant",
    "updated_at": "instant",
}


@dataclass(frozen=True)
class Compare:
    attribute: str
    op: str
    value: Any
    case_exact: bool = False  # text compared as written (ids), else whatever its case


@dataclass(frozen=True)
class Present:
    attribute: str


@dataclass(frozen=True)
class AllOf:
    terms: tuple[Criterion, ...]


@dataclass(frozen=True)
class AnyOf:
    terms: tuple[Criterion, ...]


@dataclass(frozen=True)
class Negation:
    term: Criterion


Criterion = Compare | Present | AllOf | AnyOf | Negation
