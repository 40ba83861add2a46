from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, create_model

from app.api.schemas.common import Input, RequestBody
from app.api.schemas.derive import create_body, patch_body, resource_body
from app.domain.org_chart.model import (
    MEMBERSHIP_CHANGEABLE,
    MEMBERSHIP_DECLARED,
    MEMBERSHIP_DEFAULTS,
    PERSON_DECLARED,
    PERSON_DEFAULTS,
    UNIT_DECLARED,
    UNIT_DEFAULTS,
)
from app.domain.org_chart.model import Membership as MembershipModel
from app.domain.org_chart.model import Person as PersonModel
from app.domain.org_chart.model import Unit as UnitModel

UnitKind = Literal["company", "division", "department", "team", "project"]
PersonStatus = Literal["active", "inactive"]
MembershipKind = Literal["member", "rotation", "training"]

UnitCreate = create_body("UnitCreate", UNIT_DECLARED, UNIT_DEFAULTS, doc="A new unit.")
UnitPatch = patch_body("UnitPatch", UNIT_DECLARED, doc="A JSON merge patch of a unit: what changes, null to clear.")
Unit = resource_body("Unit", UnitModel, UNIT_DECLARED, doc="A unit of the org chart: a department, a team…")
UnitAtDepth = create_model(
    "UnitAtDepth",
    __base__=Unit,
    __doc__="A unit below another, with how far below.",
    depth=(int, Field(description="Levels below the unit asked about (children are at 1).")),
)
PersonCreate = create_body("PersonCreate", PERSON_DECLARED, PERSON_DEFAULTS, doc="A new person.")
PersonPatch = patch_body("PersonPatch", PERSON_DECLARED, doc="A JSON merge patch of a person.")
Person = resource_body("Person", PersonModel, PERSON_DECLARED, doc="A person of the organization.")
MembershipCreate = create_body(
    "MembershipCreate", MEMBERSHIP_DECLARED, MEMBERSHIP_DEFAULTS, doc="A person's new place in a unit."
)
MembershipPatch = patch_body(
    "MembershipPatch",
    MEMBERSHIP_CHANGEABLE,
    doc="A JSON merge patch of a membership (its person and unit are fixed).",
)
Membership = resource_body("Membership", MembershipModel, MEMBERSHIP_DECLARED, doc="A person's place in a unit.")
UnitBase: type[BaseModel] = Unit
PersonBase: type[BaseModel] = Person


class MembershipEnd(RequestBody):
    ends_on: date | None = Field(default=None, description="The last day; today when absent.")


class MemberRole(Input):
    id: str
    title: str | None
    kind: MembershipKind
    primary: bool


class OrgChartMember(Input):
    person: PersonBase  # type: ignore[valid-type]
    membership: MemberRole


class OrgChartNode(UnitBase):  # type: ignore[valid-type,misc]
    members: list[OrgChartMember]
    children: list[OrgChartNode]


class OrgChart(Input):
    data: list[OrgChartNode]
    next_cursor: None = None


class SyncUnit(RequestBody):
    external_id: str = Field(min_length=1, max_length=255)
    name: str = Field(min_length=1, max_length=200)
    kind: UnitKind | None = None
    parent_external_id: str | None = None


class SyncPerson(RequestBody):
    external_id: str = Field(min_length=1, max_length=255)
    given_name: str = Field(min_length=1, max_length=200)
    family_name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=320)
    title: str | None = Field(default=None, max_length=200)
    manager_external_id: str | None = None
    unit_external_id: str | None = Field(default=None, description="The person's primary unit.")


class SyncRequest(RequestBody):
    system: str = Field(min_length=1, max_length=64, examples=["sap"])
    units: list[SyncUnit] = Field(default_factory=list)
    people: list[SyncPerson] = Field(default_factory=list)


class SyncCounts(Input):
    created: int
    updated: int
    unchanged: int


class SyncResult(Input):
    units: SyncCounts
    people: SyncCounts
