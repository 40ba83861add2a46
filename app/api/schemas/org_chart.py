from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from app.api.schemas.common import ExternalRefs, Input, RequestBody, Resource

UnitKind = Literal["company", "division", "department", "team", "project"]
PersonStatus = Literal["active", "inactive"]
MembershipKind = Literal["member", "rotation", "training"]
LinkKind = Literal["document", "ticket", "chat", "other"]
Name = Field(min_length=1, max_length=200)


class Link(Input):
    """A document, ticket or channel behind the work (Google Docs, JIRA, Slack…)."""

    title: str = Field(min_length=1, max_length=200, examples=["Q3 sales plan"])
    url: str = Field(min_length=1, max_length=2048, examples=["https://docs.example.com/d/q3-plan"])
    kind: LinkKind = Field(default="other", examples=["document"])


class UnitCreate(RequestBody):
    name: str = Field(min_length=1, max_length=200, examples=["Sales"])
    kind: UnitKind
    parent_id: str | None = Field(default=None, description="Null for a root unit.")
    lead_person_id: str | None = None
    external_refs: ExternalRefs = Field(default_factory=dict)
    links: list[Link] = Field(default_factory=list, max_length=50)


class UnitPatch(RequestBody):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: UnitKind | None = None
    parent_id: str | None = None
    lead_person_id: str | None = None
    external_refs: dict[str, str | None] | None = None
    links: list[Link] | None = Field(default=None, max_length=50, description="Replaces the list; null clears it.")


class Unit(Resource):
    name: str
    kind: UnitKind
    parent_id: str | None
    lead_person_id: str | None
    external_refs: ExternalRefs
    links: list[Link]


class UnitAtDepth(Unit):
    depth: int = Field(description="Levels below the unit asked about (children are at 1).")


class PersonCreate(RequestBody):
    given_name: str = Field(min_length=1, max_length=200, examples=["Ada"])
    family_name: str = Field(min_length=1, max_length=200, examples=["Lovelace"])
    email: str | None = Field(
        default=None,
        min_length=3,
        max_length=320,
        examples=["ada@example.com"],
        description="Unique per organization. Required unless the person has a `user_name`.",
    )
    user_name: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        description="The sign-in name an identity provider knows the person by (SCIM `userName`); unique per"
        " organization whatever its case.",
    )
    title: str | None = Field(default=None, max_length=200)
    department: str | None = Field(
        default=None, max_length=200, description="The department as an HR system or identity provider names it."
    )
    manager_id: str | None = None
    status: PersonStatus = "active"
    external_refs: ExternalRefs = Field(default_factory=dict)


class PersonPatch(RequestBody):
    given_name: str | None = Field(default=None, min_length=1, max_length=200)
    family_name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, min_length=3, max_length=320)
    user_name: str | None = Field(default=None, min_length=1, max_length=255)
    department: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=200)
    manager_id: str | None = None
    status: PersonStatus | None = None
    external_refs: dict[str, str | None] | None = None


class Person(Resource):
    given_name: str
    family_name: str
    email: str | None = Field(description="Null only for a person with a `user_name` (provisioned by SCIM).")
    user_name: str | None = Field(description="The sign-in name of an identity provider (SCIM `userName`).")
    department: str | None = Field(description="The department as an HR system or identity provider names it.")
    title: str | None
    manager_id: str | None
    status: PersonStatus
    external_refs: ExternalRefs


class MembershipCreate(RequestBody):
    person_id: str
    unit_id: str
    title: str | None = Field(default=None, max_length=200)
    kind: MembershipKind = "member"
    primary: bool = False
    starts_on: date | None = None
    ends_on: date | None = None
    external_refs: ExternalRefs = Field(default_factory=dict)


class MembershipPatch(RequestBody):
    title: str | None = Field(default=None, max_length=200)
    kind: MembershipKind | None = None
    primary: bool | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    external_refs: dict[str, str | None] | None = None


class Membership(Resource):
    person_id: str
    unit_id: str
    title: str | None
    kind: MembershipKind
    primary: bool
    starts_on: date | None
    ends_on: date | None
    external_refs: ExternalRefs


class MembershipEnd(RequestBody):
    ends_on: date | None = Field(default=None, description="The last day; today when absent.")


class MemberRole(Input):
    id: str
    title: str | None
    kind: MembershipKind
    primary: bool


class OrgChartMember(Input):
    person: Person
    membership: MemberRole


class OrgChartNode(Unit):
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
