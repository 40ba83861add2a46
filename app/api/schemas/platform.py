from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.api.schemas.common import ExternalRefs, Input, RequestBody, Resource
from app.domain.principal import ORG_SCOPES

Scope = Literal[tuple(sorted(ORG_SCOPES))]  # type: ignore[valid-type]


class OrganizationCreate(RequestBody):
    name: str = Field(min_length=1, max_length=200, examples=["Acme Corp"])
    slug: str = Field(min_length=1, max_length=64, examples=["acme"])
    time_zone: str = Field(
        default="UTC",
        max_length=64,
        description="IANA time zone: the organization's day (objective periods, check-in cadences, calendars).",
        examples=["Europe/Paris"],
    )


class Organization(Resource):
    name: str
    slug: str
    time_zone: str = Field(description="IANA time zone of the organization's day.")


class MeOrganization(BaseModel):
    id: str
    name: str
    slug: str
    time_zone: str


class MePerson(BaseModel):
    id: str
    given_name: str
    family_name: str
    email: str | None
    status: str


class Me(BaseModel):
    subject: str = Field(description="The token's `sub`.")
    organization: MeOrganization | None = Field(description="Null for a platform token.")
    scopes: list[str]
    person: MePerson | None = Field(description="The person the token acts as (`person` claim), if any.")
    client_id: str | None = Field(description="The API client the token was issued to, if any.")
    platform: bool = Field(description="True for a platform token (manages organizations only).")


class ApiClientCreate(RequestBody):
    name: str = Field(min_length=1, max_length=200, examples=["SAP connector"])
    scopes: list[Scope] = Field(default_factory=list, examples=[["org:read", "events:read"]])  # type: ignore[valid-type]
    external_refs: ExternalRefs = Field(default_factory=dict)


class ApiClientUpsert(RequestBody):
    name: str = Field(min_length=1, max_length=200)
    scopes: list[Scope] = Field(default_factory=list)  # type: ignore[valid-type]
    external_refs: ExternalRefs = Field(default_factory=dict)


class ApiClientPatch(RequestBody):
    """JSON merge patch: absent fields stay, `null` removes (an external ref, for instance)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    scopes: list[Scope] | None = None  # type: ignore[valid-type]
    external_refs: dict[str, str | None] | None = None


class ApiClient(Resource):
    client_id: str
    name: str
    scopes: list[str]
    previous_secret_expires_at: datetime | None = Field(
        description="After a rotation: until when the previous secret still works (24 h); null otherwise."
    )
    external_refs: ExternalRefs


class ApiClientWithSecret(ApiClient):
    client_secret: str | None = Field(
        default=None,
        description="Shown once, at creation. Store it now: only its hash is kept. Absent from an"
        " `Idempotency-Key` replay of the creation (`Idempotent-Replayed: true`), which cannot show it again.",
    )


class TokenResponse(Input):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    scope: str


class Actor(Input):
    type: str
    id: str
    person_id: str | None = None


class EventData(Input):
    object: dict[str, Any] = Field(description="The resource as it stands after the change.")
    previous_attributes: dict[str, Any] = Field(description="The old values of the fields that changed.")


class Event(Input):
    id: str
    type: str
    occurred_at: str
    organization_id: str
    actor: dict[str, Any]
    data: EventData
