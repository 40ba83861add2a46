"""API clients: machine integrations that trade a client id and secret for a token (client credentials)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from app.domain.errors import ErrorList
from app.domain.model import ExternallyReferenced, check_external_refs
from app.domain.principal import ORG_SCOPES
from app.domain.text import name_problem

SECRET_PREFIX = "lsk_"
ROTATION_OVERLAP = timedelta(hours=24)  # how long the old secret works after a rotation


@dataclass(kw_only=True)
class ApiClient(ExternallyReferenced):
    name: str
    scopes: list[str]
    secret_hash: str
    # After a rotation, the old secret works until `previous_secret_expires_at` (24 h).
    previous_secret_hash: str | None = None
    previous_secret_expires_at: datetime | None = None

    private_fields: ClassVar[frozenset[str]] = frozenset({"organization_id", "secret_hash", "previous_secret_hash"})

    def resource(self) -> dict[str, Any]:
        out = super().resource()
        out["client_id"] = self.id
        return out


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    organization_id: str
    scopes: list[str]
    secret_hash: str
    previous_secret_hash: str | None = None
    previous_secret_expires_at: datetime | None = None

    def verify(self, secret: str, now: datetime) -> bool:
        """The current secret, or the one before a rotation until it expires (both compared, always)."""
        given = hash_secret(secret)
        current = hmac.compare_digest(self.secret_hash, given)
        previous = hmac.compare_digest(self.previous_secret_hash or "", given)
        expires = self.previous_secret_expires_at
        return current or (previous and self.previous_secret_hash is not None and expires is not None and now < expires)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    # The secret has 256 bits of entropy: a fast hash is enough; a slow KDF protects low-entropy passwords.
    return hashlib.sha256(secret.encode()).hexdigest()


PATCHABLE = ("name", "scopes", "external_refs")


def check_fields(fields: dict[str, Any]) -> None:
    errors = ErrorList()
    if "name" in fields:
        name = fields["name"]
        problem = name_problem(name, 200)
        if problem:
            errors.add("/name", problem)
    if "scopes" in fields:
        scopes = fields["scopes"]
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            errors.add("/scopes", "must be a list of scope names")
        else:
            for i, s in enumerate(scopes):
                if s not in ORG_SCOPES:
                    errors.add(f"/scopes/{i}", f"unknown scope {s!r}; one of: {' '.join(sorted(ORG_SCOPES))}")
    if "external_refs" in fields:
        check_external_refs(fields["external_refs"], errors)
    errors.raise_if_any()
