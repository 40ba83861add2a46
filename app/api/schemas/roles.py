"""REST schemas of roles, role assignments, RACI entries and what RACI resolves to. They document the wire;
the rules (and their error codes, the same as GraphQL's) are the domain's declaration
(app/domain/roles/model.py), which every input goes through."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.api.schemas.common import ExternalRefs, RequestBody, Resource
from app.api.schemas.org_chart import Link

Letter = Literal["R", "A", "C", "I"]
SubjectType = Literal["objective", "key_result", "handoff", "unit"]
PartyType = Literal["person", "unit", "role"]
Inherit = Literal["none", "append"]
LETTER = "R responsible, A accountable (at most one A entry per subject), C consulted, I informed."
INHERIT = (
    "`append`: a unit's entry also holds for the subjects of the units below it (their objectives, key results"
    " and handoffs). Only a unit's entries are inherited."
)
SCOPE = "The unit the role is held for: it holds for that unit's subjects and those below it. None: everywhere."


class RoleCreate(RequestBody):
    name: str = Field(examples=["Controller"], description="At most 200 characters.")
    description: str | None = Field(default=None, examples=["Keeps the books"], description="At most 10,000.")
    responsibilities: list[str] = Field(
        default_factory=list,
        examples=[["Close the month", "Approve spend over 10k"]],
        description="What the role does, a line each (at most 50 lines of 500 characters).",
    )
    unit_id: str | None = Field(default=None, description="The unit that owns the role's definition.")
    external_refs: ExternalRefs = Field(default_factory=dict)
    links: list[Link] = Field(default_factory=list)


class RolePatch(RequestBody):
    name: str | None = None
    description: str | None = None
    responsibilities: list[str] | None = Field(default=None, description="Replaces the list.")
    unit_id: str | None = None
    external_refs: dict[str, str | None] | None = None
    links: list[Link] | None = None


class Role(Resource):
    name: str
    description: str | None
    responsibilities: list[str]
    unit_id: str | None
    external_refs: ExternalRefs
    links: list[Link]


class RoleAssignmentCreate(RequestBody):
    role_id: str
    person_id: str
    unit_id: str | None = Field(default=None, description=SCOPE)
    starts_on: date | None = Field(default=None, examples=["2026-07-01"], description="None: from always.")
    ends_on: date | None = Field(default=None, description="The last day it runs; None: until further notice.")
    external_refs: ExternalRefs = Field(default_factory=dict)


class RoleAssignmentPatch(RequestBody):
    unit_id: str | None = Field(default=None, description=SCOPE)
    starts_on: date | None = None
    ends_on: date | None = Field(default=None, description="Set it to end the assignment (role_assignment.ended).")
    external_refs: dict[str, str | None] | None = None


class RoleAssignment(Resource):
    role_id: str
    person_id: str
    unit_id: str | None = Field(description=SCOPE)
    starts_on: date | None
    ends_on: date | None
    external_refs: ExternalRefs


class RaciCreate(RequestBody):
    subject_type: SubjectType
    subject_id: str = Field(examples=["obj_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"])
    party_type: PartyType
    party_id: str = Field(examples=["role_01J9Z3Q4K6W8X2Y5V7T9R1M3N5"])
    letter: Letter = Field(description=LETTER)
    inherit: Inherit = Field(default="none", description=INHERIT)
    external_refs: ExternalRefs = Field(default_factory=dict)


class RaciPatch(RequestBody):
    letter: Letter | None = Field(default=None, description=LETTER)
    inherit: Inherit | None = Field(default=None, description=INHERIT)
    external_refs: dict[str, str | None] | None = None


class RaciEntry(Resource):
    subject_type: SubjectType
    subject_id: str
    party_type: PartyType
    party_id: str
    letter: Letter = Field(description=LETTER)
    inherit: Inherit = Field(description=INHERIT)
    external_refs: ExternalRefs


class RaciPath(BaseModel):
    via: Literal["direct", "unit", "role", "implicit"] = Field(
        description="direct: the entry names the person; unit: a member of the unit it names (membership running"
        " today); role: a holder of the role it names (assignment running today, in scope); implicit: the owner"
        " standing in for a missing A."
    )
    inherited: bool
    inherited_from_unit_id: str | None = Field(description="The unit whose appended entry holds here.")
    entry_id: str | None
    party_type: PartyType | None
    party_id: str | None
    membership_id: str | None
    role_assignment_id: str | None
    rule: str | None = Field(
        description="For an implicit A: the field that named the person (owner_person_id, owner_unit_lead,"
        " to_person_id, addressed_unit_lead, lead_person_id)."
    )


class RaciHolder(BaseModel):
    person_id: str
    given_name: str
    family_name: str
    email: str | None
    implicit: bool = Field(description="True: no entry gives the subject an A; this person stands in.")
    path: RaciPath = Field(description="The first path that put them there (their own entry before a unit's).")
    paths: list[RaciPath]


class AppliedEntry(RaciEntry):
    inherited_from_unit_id: str | None
    applies: bool = Field(description="False: an inherited A that a nearer A overrides.")


class RaciResolved(BaseModel):
    subject_type: SubjectType
    subject_id: str
    title: str
    R: list[RaciHolder]
    A: list[RaciHolder]
    C: list[RaciHolder]
    I: list[RaciHolder]  # noqa: E741
    accountable_is_implicit: bool = Field(
        description="True: no A entry names anyone today, and the owner stands in (A's only holder, `implicit`)."
    )
    entries: list[AppliedEntry] = Field(description="The entries that hold for the subject, its own first.")


class MatrixParty(BaseModel):
    party_type: PartyType
    party_id: str
    name: str


class MatrixRow(BaseModel):
    subject_type: SubjectType
    subject_id: str
    title: str
    cells: dict[str, list[Letter]] = Field(description="Party id → the letters it holds on the subject.")
    accountable_is_implicit: bool


class RaciMatrix(BaseModel):
    unit_id: str
    parties: list[MatrixParty]
    rows: list[MatrixRow]


class HeldLetter(BaseModel):
    letter: Letter
    subject_type: SubjectType
    subject_id: str
    entry_id: str
    inherit: Inherit
    via: Literal["direct", "unit", "role"]
    party_type: PartyType
    party_id: str
    membership_id: str | None
    role_assignment_id: str | None
    within_unit_id: str | None = Field(
        description="A role held for a unit below the entry's unit: the inherited letter holds for the subjects of"
        " that unit and those below it only."
    )


class HeldRole(BaseModel):
    role: Role
    assignment: RoleAssignment


class Responsibilities(BaseModel):
    person_id: str
    roles: list[HeldRole] = Field(description="The roles the person holds today.")
    letters: list[HeldLetter] = Field(description="The letters they hold directly, through units and roles.")


__all__ = ["Any"]
