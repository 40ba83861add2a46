from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.domain.api_clients.model import (
    PATCHABLE,
    ROTATION_OVERLAP,
    ApiClient,
    ClientCredentials,
    check_fields,
    hash_secret,
    new_secret,
)
from app.domain.changes import ensure_external_refs_free, refuse_read_only
from app.domain.clock import SYSTEM_CLOCK
from app.domain.errors import Forbidden, NotFound, Unauthenticated
from app.domain.model import ListQuery, Page
from app.domain.patch import cleared, patched, previous_attributes
from app.domain.ports import CredentialStore
from app.domain.text import one_line, storable
from app.domain.usecases import UseCases

SCOPE = "admin"


class ApiClients(UseCases):
    async def create(
        self, name: str, scopes: list[str], external_refs: dict[str, str] | None = None
    ) -> tuple[ApiClient, str]:
        """A new client and its secret, which is shown this once and stored only as a hash."""
        self.principal.require(SCOPE)
        self.principal.require_organization()
        fields: dict[str, Any] = {"name": name, "scopes": scopes, "external_refs": external_refs or {}}
        check_fields(fields)
        await ensure_external_refs_free(self.uow.api_clients, fields["external_refs"], None)
        secret = new_secret()
        client = self._new(
            ApiClient,
            "client",
            name=name.strip(),
            scopes=sorted(set(scopes)),
            secret_hash=hash_secret(secret),
            external_refs=fields["external_refs"],
        )
        await self._add(self.uow.api_clients, client, "api_client.created")
        return client, secret

    async def get(self, client_id: str) -> ApiClient:
        self.principal.require(SCOPE)
        client = await self.uow.api_clients.get(client_id)
        if client is None:
            raise NotFound(f"No API client {client_id}.")
        return client

    async def list(self, query: ListQuery) -> Page[ApiClient]:
        self.principal.require(SCOPE)
        return await self.uow.api_clients.list(query)

    async def update(self, client_id: str, patch: dict[str, Any], expected_version: int | None = None) -> ApiClient:
        """Apply a JSON merge patch."""
        self.principal.require(SCOPE)
        client = await self._to_change(self.uow.api_clients, client_id, "API client", expected_version)
        refuse_read_only(patch, PATCHABLE)
        # A null on a required field is left for check_fields to refuse; on the refs it clears them.
        merged = cleared(patched(client, patch, PATCHABLE), external_refs={})
        check_fields(merged)
        await ensure_external_refs_free(self.uow.api_clients, merged["external_refs"], client.id, client.external_refs)
        changed = replace(
            client,
            name=merged["name"].strip(),
            scopes=sorted(set(merged["scopes"])),
            external_refs=merged["external_refs"],
        )
        previous = await self._save_changes(self.uow.api_clients, client, changed)
        if not previous:
            return client
        self._record("api_client.updated", changed.resource(), previous)
        return changed

    async def rotate_secret(self, client_id: str, expected_version: int | None = None) -> tuple[ApiClient, str]:
        """A new secret, shown this once; the old one works 24 h more (an integration swaps without a
        gap), then no longer. Tokens already issued stand until they expire."""
        self.principal.require(SCOPE)
        client = await self._to_change(self.uow.api_clients, client_id, "API client", expected_version)
        before = client.resource()
        secret = new_secret()
        now = self.clock.now()
        client.previous_secret_hash = client.secret_hash
        client.previous_secret_expires_at = now + ROTATION_OVERLAP
        client.secret_hash = hash_secret(secret)
        client.touch(now)
        await self.uow.api_clients.save(client, expected_version=client.version - 1)
        changed = previous_attributes(before, client.resource())
        self._record("api_client.secret_rotated", client.resource(), changed)
        return client, secret

    async def delete(self, client_id: str, expected_version: int | None = None) -> None:
        self.principal.require(SCOPE)
        client = await self._to_change(self.uow.api_clients, client_id, "API client", expected_version)
        await self.uow.api_clients.delete(client)
        self._record("api_client.deleted", client.resource())

    async def upsert_by_external_ref(
        self, system: str, external_id: str, fields: dict[str, Any]
    ) -> tuple[ApiClient, bool, str | None]:
        """PUT …/by-external-ref/{system}/{id}: (client, created, secret when created)."""
        self.principal.require(SCOPE)
        secrets: list[str] = []

        async def create(given: dict[str, Any]) -> ApiClient:
            client, secret = await self.create(given.get("name", ""), given.get("scopes", []), given["external_refs"])
            secrets.append(secret)
            return client

        given: dict[str, Any] = {k: fields[k] for k in ("name", "scopes", "external_refs") if k in fields}
        client, created = await self._upsert(
            self.uow.api_clients, system, external_id, given, create, lambda e, p: self.update(e.id, p)
        )
        return client, created, secrets[0] if secrets else None


async def grant_client_credentials(
    store: CredentialStore, client_id: str, secret: str, requested_scope: str | None
) -> tuple[ClientCredentials, list[str]]:
    """OAuth 2.0 client credentials: the client and the scopes its token gets (all of its own, or the
    requested subset). The same answer for an unknown client as for a wrong secret."""
    if not one_line(client_id) or not storable(secret):  # no client id holds one: the same 401 on both engines
        raise Unauthenticated("The client id or secret is wrong.")
    creds = await store.find_client(client_id)
    if creds is None or not creds.verify(secret, SYSTEM_CLOCK.now()):
        raise Unauthenticated("The client id or secret is wrong.")
    scopes = sorted(creds.scopes)
    if requested_scope:
        wanted = set(requested_scope.split())
        extra = sorted(wanted - set(scopes))
        if extra:
            raise Forbidden(f"This client may not have the scopes: {' '.join(extra)}.")
        scopes = sorted(wanted)
    return creds, scopes
