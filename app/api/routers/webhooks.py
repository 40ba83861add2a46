from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response

from app.api.conventions import (
    Json,
    Listing,
    ListOf,
    PlainListing,
    entity_response,
    expected_version,
    idempotent,
    page_body,
)
from app.api.deps import LiaisonRoute, UoW
from app.api.schemas import webhooks as s
from app.api.schemas.common import PROBLEM_RESPONSES
from app.domain.principal import WEBHOOKS_WRITE
from app.domain.webhooks.model import Attempt, Delivery
from app.domain.webhooks.service import WebhookEndpoints
from app.worker.net import SystemResolver

router = APIRouter(route_class=LiaisonRoute, prefix="/v1", responses=PROBLEM_RESPONSES)
TAGS: list[str | Enum] = ["Webhooks"]
RESOLVER = SystemResolver()


def service(request: Request, uow: Any, caller: Any) -> WebhookEndpoints:
    allow = request.app.state.settings.webhook_allow_private_networks
    return WebhookEndpoints(uow, caller, RESOLVER, allow_private=allow)


def delivery_body(d: Delivery, attempts: list[Attempt]) -> dict[str, Any]:
    return {**d.resource(), "attempt_log": [a.resource() for a in attempts]}


@router.post(
    "/webhook-endpoints",
    status_code=201,
    response_model=s.WebhookEndpointWithSecret,
    tags=TAGS,
    summary="Create a webhook endpoint (its secret is in this answer only)",
)
async def create_endpoint(body: s.WebhookEndpointCreate, request: Request, uow: UoW) -> Response:
    """Register a URL to receive events (all, or the types listed; `unit.*` takes a family). The answer holds
    the signing secret, shown this once.
    """

    replayed_as: dict[str, Any] = {}

    async def produce() -> Response:
        ep, secret = await service(request, uow, uow.caller).create(body.model_dump())
        replayed_as["url"] = ep.resource()["url"]  # a chat format's URL is a credential: whole this once
        return entity_response(
            ep, 201, {**ep.resource(), "url": ep.url, "secret": secret}, {"Location": f"/v1/webhook-endpoints/{ep.id}"}
        )

    return await idempotent(
        request, uow, uow.caller, produce, WEBHOOKS_WRITE, redact=("secret",), replayed_as=replayed_as
    )


@router.get("/webhook-endpoints", response_model=ListOf[s.WebhookEndpoint], tags=TAGS, summary="List webhook endpoints")
async def list_endpoints(query: Listing, request: Request, uow: UoW) -> Response:
    """The organization's webhook endpoints, without their secrets."""
    return page_body(await service(request, uow, uow.caller).list(query), lambda e: e.resource())


@router.get(
    "/webhook-endpoints/{endpoint_id}", response_model=s.WebhookEndpoint, tags=TAGS, summary="Get a webhook endpoint"
)
async def get_endpoint(endpoint_id: str, request: Request, uow: UoW) -> Response:
    """One webhook endpoint: its URL, event types, state and health, without its secret."""
    return entity_response(await service(request, uow, uow.caller).get(endpoint_id))


@router.patch(
    "/webhook-endpoints/{endpoint_id}",
    response_model=s.WebhookEndpoint,
    tags=TAGS,
    summary="Update a webhook endpoint (JSON merge patch); `enabled: true` re-enables a disabled one",
)
async def update_endpoint(
    endpoint_id: str,
    request: Request,
    uow: UoW,
    body: Annotated[s.WebhookEndpointPatch, Body(media_type="application/merge-patch+json")],
) -> Response:
    """Change an endpoint's URL, event types or state (JSON merge patch); re-enabling a disabled endpoint
    resets its failure count.
    """
    ep = await service(request, uow, uow.caller).update(
        endpoint_id, body.model_dump(exclude_unset=True), expected_version(request, endpoint_id)
    )
    return entity_response(ep)


@router.delete("/webhook-endpoints/{endpoint_id}", status_code=204, tags=TAGS, summary="Delete a webhook endpoint")
async def delete_endpoint(endpoint_id: str, request: Request, uow: UoW) -> Response:
    """Delete an endpoint: nothing more is sent to it. Records `webhook_endpoint.deleted`."""
    await service(request, uow, uow.caller).delete(endpoint_id, expected_version(request, endpoint_id))
    return Response(status_code=204)


@router.post(
    "/webhook-endpoints/{endpoint_id}/rotate-secret",
    response_model=s.WebhookEndpointWithSecret,
    tags=TAGS,
    summary="Rotate the secret; the previous one keeps signing beside the new one for 24 hours",
)
async def rotate_secret(endpoint_id: str, request: Request, uow: UoW) -> Response:
    """A replay of the same `Idempotency-Key` answers without the secret (never stored in clear). Rotating
    again within the 24 hours keeps the previous secret as it was, so a lost answer is recovered by rotating
    again without cutting the receiver off."""

    async def produce() -> Response:
        ep, secret = await service(request, uow, uow.caller).rotate_secret(endpoint_id)
        return entity_response(ep, 200, {**ep.resource(), "secret": secret})

    return await idempotent(request, uow, uow.caller, produce, WEBHOOKS_WRITE, redact=("secret",))


@router.post(
    "/webhook-endpoints/{endpoint_id}/test",
    status_code=202,
    response_model=s.Delivery,
    tags=TAGS,
    summary="Send a `ping` to the endpoint",
)
async def test_endpoint(endpoint_id: str, request: Request, uow: UoW) -> Response:
    """Send a `ping` event to the endpoint now, through the same queue, signing and retries as any event."""

    async def produce() -> Response:
        d = await service(request, uow, uow.caller).test(endpoint_id)
        return Json(delivery_body(d, []), status_code=202)

    return await idempotent(request, uow, uow.caller, produce, WEBHOOKS_WRITE)


@router.get(
    "/webhook-endpoints/{endpoint_id}/deliveries",
    response_model=ListOf[s.Delivery],
    tags=TAGS,
    summary="Each message sent to the endpoint, with its attempts",
)
async def endpoint_deliveries(endpoint_id: str, query: PlainListing, request: Request, uow: UoW) -> Response:
    """The endpoint's deliveries, oldest first, each with its state and attempts."""
    page, attempts = await service(request, uow, uow.caller).deliveries(endpoint_id, query)
    return page_body(page, lambda d: delivery_body(d, list(attempts.get(d.id, []))))


@router.post(
    "/webhook-endpoints/{endpoint_id}/recover",
    response_model=s.Recovered,
    tags=TAGS,
    summary="Re-queue every delivery that failed since an instant",
)
async def recover(endpoint_id: str, body: s.Recover, request: Request, uow: UoW) -> Response:
    """Send again the events of a time window to an endpoint (after an outage of the receiver): one new
    delivery per event."""

    async def produce() -> Response:
        return Json({"requeued": await service(request, uow, uow.caller).recover(endpoint_id, body.since)})

    return await idempotent(request, uow, uow.caller, produce, WEBHOOKS_WRITE)


@router.post(
    "/webhook-deliveries/{delivery_id}/retry",
    status_code=202,
    response_model=s.Delivery,
    tags=TAGS,
    summary="Send one delivery again",
)
async def retry(delivery_id: str, request: Request, uow: UoW) -> Response:
    """Try a failed or pending delivery again now."""

    async def produce() -> Response:
        d = await service(request, uow, uow.caller).retry(delivery_id)
        return Json(delivery_body(d, []), status_code=202)

    return await idempotent(request, uow, uow.caller, produce, WEBHOOKS_WRITE)
