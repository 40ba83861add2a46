"""Who is asking: the organization, the scopes and optionally the person a token acts as."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.domain.errors import Forbidden

PLATFORM_ADMIN = "platform:admin"
ADMIN, ORG_WRITE, WEBHOOKS_WRITE = "admin", "org:write", "webhooks:write"
# Every scope, and what it allows (the OpenAPI document shows these to the people granting them).
SCOPES: dict[str, str] = {
    "org:read": "Read units, people, memberships and the org chart.",
    "org:write": "Create, change and delete units, people and memberships; sync the org chart.",
    "roles:read": "Read roles, role assignments and RACI entries.",
    "roles:write": "Create, change and delete roles, role assignments and RACI entries.",
    "objectives:read": "Read objectives, key results and check-ins.",
    "objectives:write": "Create and change objectives and key results; record check-ins.",
    "handoffs:read": "Read handoffs and handoff policies.",
    "handoffs:write": "Create handoffs and act on them for either side; manage handoff policies.",
    "feedback:read": "Read feedback and survey results the token may see.",
    "feedback:write": "Give feedback and run surveys.",
    "webhooks:read": "Read webhook endpoints and their deliveries.",
    "webhooks:write": "Create, change, test and recover webhook endpoints; retry deliveries.",
    "events:read": "Read the event log.",
    "scim": "Provision people and units from an identity provider over SCIM 2.0 (its own endpoints).",
    "admin": "Everything in the organization, API clients included.",
    PLATFORM_ADMIN: "Create and list organizations (the operator of this Liaison).",
}
ALL_SCOPES: frozenset[str] = frozenset(SCOPES)
ORG_SCOPES: frozenset[str] = ALL_SCOPES - {PLATFORM_ADMIN}


@dataclass(frozen=True)
class Principal:
    subject: str
    organization_id: str | None
    scopes: frozenset[str]
    person_id: str | None = None
    client_id: str | None = None
    # Whether the token was signed by this service (HS256, LIAISON_JWT_SECRET): only then does its
    # `client_id` name one of our API clients, whose deletion revokes it.
    issued_here: bool = False

    @property
    def is_platform(self) -> bool:
        return self.organization_id is None

    def has(self, scope: str) -> bool:
        if scope == PLATFORM_ADMIN:
            return PLATFORM_ADMIN in self.scopes
        # Organization data needs an organization: a platform token manages tenants, nothing inside them.
        if self.organization_id is None:
            return False
        return scope in self.scopes or "admin" in self.scopes

    def require(self, scope: str) -> None:
        if not self.has(scope):
            raise Forbidden(f"This token lacks the scope `{scope}`.")

    def require_organization(self) -> str:
        if self.organization_id is None:
            raise Forbidden("This token is not bound to an organization.")
        return self.organization_id

    @property
    def actor(self) -> dict[str, Any]:
        """How events name who made a change."""
        actor: dict[str, Any] = {"type": "api_client" if self.client_id else "token", "id": self.subject}
        if self.person_id:
            actor["person_id"] = self.person_id
        return actor
