"""Who is asking: the organization, the scopes and optionally the person a token acts as."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.domain.errors import Forbidden

ORG_SCOPES: frozenset[str] = frozenset(
    {
        "org:read",
        "org:write",
        "roles:read",
        "roles:write",
        "objectives:read",
        "objectives:write",
        "handoffs:read",
        "handoffs:write",
        "feedback:read",
        "feedback:write",
        "webhooks:read",
        "webhooks:write",
        "events:read",
        "admin",
    }
)
PLATFORM_ADMIN = "platform:admin"
ALL_SCOPES: frozenset[str] = ORG_SCOPES | {PLATFORM_ADMIN}


@dataclass(frozen=True)
class Principal:
    subject: str
    organization_id: str | None
    scopes: frozenset[str]
    person_id: str | None = None
    client_id: str | None = None

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
