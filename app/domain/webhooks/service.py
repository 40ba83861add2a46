"""Webhook endpoints' use cases, and the fan-out of committed events into deliveries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from app.domain.clock import SYSTEM_CLOCK, rfc3339
from app.domain.errors import ErrorList, FieldError, Invalid, NotFound
from app.domain.events import Event
from app.domain.ids import new_id
from app.domain.model import ListQuery, Page
from app.domain.patch import previous_attributes
from app.domain.ports import Clock, Resolver, UnitOfWork
from app.domain.principal import Principal
from app.domain.usecases import UseCases
from app.domain.webhooks.model import (
    DELIVERY_STATES,
    ROTATION_OVERLAP,
    Attempt,
    Delivery,
    WebhookEndpoint,
    address_allowed,
    check_endpoint,
    message_payload,
    new_secret,
)

READ, WRITE = "webhooks:read", "webhooks:write"
MUTABLE = ("url", "event_types", "description", "enabled", "format", "locale")


async def check_destination(url: str, resolver: Resolver, allow_private: bool) -> list[str]:
    """The addresses the URL's host resolves to, all of them allowed; else Invalid."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = await resolver.addresses(host, port)
    if not addresses:
        raise Invalid(
            "The URL's host does not resolve.", [FieldError("/url", "the host does not resolve", "unresolvable")]
        )
    if not allow_private:
        refused = [a for a in addresses if not address_allowed(a)]
        if refused:
            raise Invalid(
                "The URL points to a private, loopback, link-local or reserved address.",
                [FieldError("/url", "resolves to an address deliveries may not reach", "forbidden_address")],
            )
    return addresses


def fan_out(events: list[Event], endpoints: list[WebhookEndpoint], now: datetime) -> list[Delivery]:
    """One delivery per (event, enabled endpoint that subscribes to it), due at once."""
    out = []
    for event in events:
        for ep in endpoints:
            if ep.subscribes_to(event.type):
                out.append(
                    Delivery(
                        id=new_id("whd"),
                        organization_id=event.organization_id,
                        created_at=now,
                        updated_at=now,
                        endpoint_id=ep.id,
                        message_id=event.id,
                        event_type=event.type,
                        next_attempt_at=now,
                        payload=message_payload(event.id, event.type, rfc3339(event.occurred_at), event.data),
                    )
                )
    return out


class WebhookEndpoints(UseCases):
    def __init__(
        self,
        uow: UnitOfWork,
        principal: Principal,
        resolver: Resolver,
        *,
        allow_private: bool,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        super().__init__(uow, principal, clock)
        self.resolver, self.allow_private = resolver, allow_private

    async def create(self, fields: dict[str, Any]) -> tuple[WebhookEndpoint, str]:
        self._org(WRITE)
        errors = ErrorList()
        check_endpoint(fields, errors, creating=True)
        errors.raise_if_any()
        await check_destination(fields["url"], self.resolver, self.allow_private)
        secret = new_secret()
        ep = self._new(
            WebhookEndpoint,
            "wh",
            url=fields["url"],
            event_types=list(dict.fromkeys(fields["event_types"])),
            description=fields.get("description"),
            enabled=fields.get("enabled", True),
            secret=secret,
            format=fields.get("format") or "standard",
            locale=fields.get("locale") or "en",
            url_is_secret=(fields.get("format") or "standard") != "standard",
        )
        await self._add(self.uow.webhooks, ep, "webhook_endpoint.created")
        return ep, secret

    async def get(self, endpoint_id: str) -> WebhookEndpoint:
        self._org(READ)
        ep = await self.uow.webhooks.get(endpoint_id)
        if ep is None:
            raise NotFound(f"No webhook endpoint {endpoint_id}.")
        return ep

    async def list(self, query: ListQuery) -> Page[WebhookEndpoint]:
        self._org(READ)
        return await self.uow.webhooks.list(query)

    async def update(
        self, endpoint_id: str, patch: dict[str, Any], expected_version: int | None = None
    ) -> WebhookEndpoint:
        self._org(WRITE)
        unknown = sorted(set(patch) - set(MUTABLE))
        if unknown:
            raise Invalid(
                "Some fields cannot be changed.",
                [FieldError(f"/{k}", "cannot be changed", "read_only") for k in unknown],
            )
        ep = await self._to_change(self.uow.webhooks, endpoint_id, "webhook endpoint", expected_version)
        if patch.get("enabled") is None and "enabled" in patch:
            raise Invalid("`enabled` cannot be null.", [FieldError("/enabled", "must not be null", "required")])
        errors = ErrorList()
        check_endpoint({k: v for k, v in patch.items() if k != "description" or v is not None}, errors, creating=False)
        errors.raise_if_any()
        if "url" in patch and patch["url"] == ep.resource()["url"] != ep.url:
            patch = {k: v for k, v in patch.items() if k != "url"}  # the masked URL read back: unchanged
        if "url" in patch and patch["url"] != ep.url:
            await check_destination(patch["url"], self.resolver, self.allow_private)
        before = ep.resource()
        updated = replace(ep, **patch)
        if "url" in patch and patch["url"] != ep.url:  # a new URL: a credential when given for a chat format
            updated = replace(updated, url_is_secret=updated.format != "standard")
        elif updated.format != "standard":
            updated = replace(updated, url_is_secret=True)
        if updated.enabled and not ep.enabled:  # re-enabled by hand: a fresh start
            updated = replace(updated, failing_since=None, disabled_reason=None)
        changed = previous_attributes(before, updated.resource())
        if not changed and updated.url == ep.url:  # a chat URL shows masked: compare it whole
            return ep
        changed = changed or {"url": before["url"]}
        updated.touch(self.clock.now())
        await self.uow.webhooks.save(updated, expected_version=ep.version)
        self._record("webhook_endpoint.updated", updated.resource(), changed)
        return updated

    async def delete(self, endpoint_id: str, expected_version: int | None = None) -> None:
        self._org(WRITE)
        ep = await self._to_change(self.uow.webhooks, endpoint_id, "webhook endpoint", expected_version)
        await self.uow.webhooks.delete(ep)
        self._record("webhook_endpoint.deleted", ep.resource())

    async def rotate_secret(self, endpoint_id: str) -> tuple[WebhookEndpoint, str]:
        """A new secret; the previous one keeps signing beside it for 24 hours."""
        self._org(WRITE)
        ep = await self.uow.webhooks.get(endpoint_id, for_update=True)
        if ep is None:
            raise NotFound(f"No webhook endpoint {endpoint_id}.")
        now = self.clock.now()
        secret = new_secret()
        if ep.previous_secret and ep.previous_secret_expires_at and now < ep.previous_secret_expires_at:
            # A second rotation within the window (a client whose answer was lost tries again): the secret
            # the receiver still knows stays the previous one; the one nobody may have seen is dropped.
            rotated = replace(ep, secret=secret)
        else:
            rotated = replace(
                ep, secret=secret, previous_secret=ep.secret, previous_secret_expires_at=now + ROTATION_OVERLAP
            )
        rotated.touch(now)
        await self.uow.webhooks.save(rotated, expected_version=ep.version)
        return rotated, secret

    async def test(self, endpoint_id: str) -> Delivery:
        """Queue a `ping` to the endpoint, whatever it subscribes to."""
        ep = await self.get(endpoint_id)
        self.principal.require(WRITE)
        now = self.clock.now()
        msg = new_id("msg")
        delivery = Delivery(
            id=new_id("whd"),
            organization_id=ep.organization_id,
            created_at=now,
            updated_at=now,
            endpoint_id=ep.id,
            message_id=msg,
            event_type="ping",
            next_attempt_at=now,
            payload=message_payload(
                msg, "ping", rfc3339(now), {"object": {"endpoint_id": ep.id}, "previous_attributes": {}}
            ),
        )
        await self.uow.deliveries.add_many([delivery])
        return delivery

    async def deliveries(
        self, endpoint_id: str, query: ListQuery
    ) -> tuple[Page[Delivery], Mapping[str, Sequence[Attempt]]]:
        await self.get(endpoint_id)
        page = await self.uow.deliveries.of_endpoint(endpoint_id, query)
        return page, await self.uow.deliveries.attempts_of([d.id for d in page.items])

    async def retry(self, delivery_id: str) -> Delivery:
        self._org(WRITE)
        delivery = await self.uow.deliveries.get(delivery_id)
        if delivery is None:
            raise NotFound(f"No webhook delivery {delivery_id}.")
        DELIVERY_STATES.take(delivery.status, "retry")
        await self.uow.deliveries.requeue([delivery_id], self.clock.now(), include_succeeded=True)
        again = await self.uow.deliveries.get(delivery_id)
        assert again is not None
        return again

    async def recover(self, endpoint_id: str, since: datetime) -> int:
        """Re-queue every delivery to this endpoint that failed since then."""
        self._org(WRITE)
        await self.get(endpoint_id)
        ids = await self.uow.deliveries.failed_since(endpoint_id, since)
        return await self.uow.deliveries.requeue(ids, self.clock.now())
