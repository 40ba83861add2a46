from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request, Response

from app.api.conventions import Json, Listing, ListOf, entity_response, expected_version, idempotent, page_body
from app.api.deps import LiaisonRoute, UoW
from app.api.schemas.common import PROBLEM_RESPONSES
from app.api.schemas.platform import (
    ApiClient,
    ApiClientCreate,
    ApiClientPatch,
    ApiClientUpsert,
    ApiClientWithSecret,
)
from app.domain.api_clients.service import ApiClients
from app.domain.principal import ADMIN

router = APIRouter(
    route_class=LiaisonRoute, prefix="/v1/api-clients", tags=["API clients"], responses=PROBLEM_RESPONSES
)
MERGE_PATCH = "application/merge-patch+json"


@router.post("", status_code=201, response_model=ApiClientWithSecret, summary="Create an API client")
async def create_api_client(body: ApiClientCreate, request: Request, uow: UoW) -> Response:
    """The `client_secret` is in this answer only. A replay of the same `Idempotency-Key` gives the
    same client without the secret, which is never stored in clear."""

    async def produce() -> Response:
        client, secret = await ApiClients(uow, uow.caller).create(body.name, list(body.scopes), body.external_refs)
        return entity_response(
            client, 201, {**client.resource(), "client_secret": secret}, {"Location": f"/v1/api-clients/{client.id}"}
        )

    return await idempotent(request, uow, uow.caller, produce, ADMIN, redact=("client_secret",))


@router.get("", response_model=ListOf[ApiClient], summary="List API clients")
async def list_api_clients(query: Listing, uow: UoW) -> Response:
    """The organization's API clients, without their secrets."""
    return page_body(await ApiClients(uow, uow.caller).list(query), lambda c: c.resource())


@router.get("/{client_id}", response_model=ApiClient, summary="Get an API client")
async def get_api_client(client_id: str, uow: UoW) -> Response:
    """One API client, without its secret (it is shown once, at creation)."""
    return entity_response(await ApiClients(uow, uow.caller).get(client_id))


@router.patch("/{client_id}", response_model=ApiClient, summary="Update an API client (JSON merge patch)")
async def update_api_client(
    client_id: str,
    request: Request,
    uow: UoW,
    body: Annotated[ApiClientPatch, Body(media_type=MERGE_PATCH)],
) -> Response:
    """Rename an API client or change its scopes (JSON merge patch)."""
    client = await ApiClients(uow, uow.caller).update(
        client_id, body.model_dump(exclude_unset=True), expected_version(request, client_id)
    )
    return entity_response(client)


@router.post("/{client_id}/rotate-secret", response_model=ApiClientWithSecret, summary="Rotate an API client's secret")
async def rotate_api_client_secret(client_id: str, request: Request, uow: UoW) -> Response:
    """A new `client_secret`, in this answer only; the old one works 24 h more
    (`previous_secret_expires_at`), so that an integration swaps without a gap. Tokens already issued
    stand until they expire. `If-Match` refuses a stale rotation. Records `api_client.secret_rotated`."""

    async def produce() -> Response:
        client, secret = await ApiClients(uow, uow.caller).rotate_secret(
            client_id, expected_version(request, client_id)
        )
        return entity_response(client, 200, {**client.resource(), "client_secret": secret})

    return await idempotent(request, uow, uow.caller, produce, ADMIN, redact=("client_secret",))


@router.delete("/{client_id}", status_code=204, summary="Delete an API client; its tokens stop being issued")
async def delete_api_client(client_id: str, request: Request, uow: UoW) -> Response:
    """Delete an API client: its id and secret no longer get tokens."""
    await ApiClients(uow, uow.caller).delete(client_id, expected_version(request, client_id))
    return Response(status_code=204)


@router.put(
    "/by-external-ref/{system}/{external_id}",
    response_model=ApiClient,
    responses={201: {"model": ApiClientWithSecret, "description": "Created"}},
    summary="Create or update the API client that carries an external ref",
)
async def upsert_api_client(system: str, external_id: str, body: ApiClientUpsert, uow: UoW) -> Json:
    """Create or update the API client that carries this external reference (idempotent: the same body twice
    changes nothing).
    """
    client, created, secret = await ApiClients(uow, uow.caller).upsert_by_external_ref(
        system, external_id, {"name": body.name, "scopes": list(body.scopes), "external_refs": body.external_refs}
    )
    if created:
        return entity_response(
            client, 201, {**client.resource(), "client_secret": secret}, {"Location": f"/v1/api-clients/{client.id}"}
        )
    return entity_response(client)
