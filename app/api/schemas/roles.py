"""REST schemas of roles, role assignments, RACI entries and what RACI resolves to. They document the wire;
the rules (and their error codes, the same as GraphQL's) are the domain's declaration
(app/domain/roles/model.py), which every input goes through."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, TypeAlias

from pydantic import BaseModel, Field

from app.api.schemas.derive import choice, create_body, patch_body, resource_body
from app.domain.roles.model import (
    INHERIT,
    LETTERS,
    PARTY_TYPES,
    RACI_CHANGEABLE,
    RACI_DEFAULTS,
    RACI_FIELDS,
    ROLE_ASSIGNMENT_CHANGEABLE,
    ROLE_ASSIGNMENT_DEFAULTS,
    ROLE_ASSIGNMENT_FIELDS,
    ROLE_DEFAULTS,
    ROLE_FIELDS,
    SUBJECT_TYPES,
)
from app.domain.roles.model import RaciEntry as RaciEntryModel
from app.domain.roles.model import Role as RoleModel
from app.domain.roles.model import RoleAssignment as RoleAssignmentModel

if TYPE_CHECKING:
    Letter: TypeAlias = str
    SubjectType: TypeAlias = str
    PartyType: TypeAlias = str
    Inherit: TypeAlias = str
else:  # enumerations of the declared values
    Letter, SubjectType = choice(LETTERS), choice(SUBJECT_TYPES)
    PartyType, Inherit = choice(PARTY_TYPES), choice(INHERIT)

RoleCreate = create_body("RoleCreate", ROLE_FIELDS, ROLE_DEFAULTS, doc="A new role.")
RolePatch = patch_body("RolePatch", ROLE_FIELDS, doc="A JSON merge patch of a role; a list given replaces the list.")
Role = resource_body("Role", RoleModel, ROLE_FIELDS, doc="A role and what it does.")
RoleAssignmentCreate = create_body(
    "RoleAssignmentCreate", ROLE_ASSIGNMENT_FIELDS, ROLE_ASSIGNMENT_DEFAULTS, doc="A person given a role."
)
RoleAssignmentPatch = patch_body(
    "RoleAssignmentPatch",
    ROLE_ASSIGNMENT_CHANGEABLE,
    doc="A JSON merge patch of a role assignment (its role and person are fixed).",
)
RoleAssignment = resource_body(
    "RoleAssignment", RoleAssignmentModel, ROLE_ASSIGNMENT_FIELDS, doc="A person holding a role, for a time."
)
RaciCreate = create_body("RaciCreate", RACI_FIELDS, RACI_DEFAULTS, doc="A new RACI entry.")
RaciPatch = patch_body(
    "RaciPatch",
    RACI_CHANGEABLE,
    doc="A JSON merge patch of a RACI entry (its subject and party are fixed).",
)
RaciEntry = resource_body("RaciEntry", RaciEntryModel, RACI_FIELDS, doc="Who is R, A, C or I on a subject.")
RaciEntryBase: type[BaseModel] = RaciEntry
RoleBase: type[BaseModel] = Role
RoleAssignmentBase: type[BaseModel] = RoleAssignment


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


class AppliedEntry(RaciEntryBase):  # type: ignore[valid-type,misc]
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
    role: RoleBase  # type: ignore[valid-type]
    assignment: RoleAssignmentBase  # type: ignore[valid-type]


class Responsibilities(BaseModel):
    person_id: str
    roles: list[HeldRole] = Field(description="The roles the person holds today.")
    letters: list[HeldLetter] = Field(description="The letters they hold directly, through units and roles.")
