from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from app.domain.api_clients.model import ApiClient as ApiClientModel
from app.domain.events import Event as EventModel
from app.domain.organizations.model import Organization as OrganizationModel
from app.domain.webhooks.messages import FORMATS, LOCALES
from app.domain.webhooks.model import WebhookEndpoint as WebhookEndpointModel
from app.graphql.types.derive import Node, derive, instance

WebhookEndpoint: Any = derive(
    WebhookEndpointModel,
    "WebhookEndpoint",
    description="Where the events an integration subscribes to are sent.",
    choices={"format": FORMATS, "locale": LOCALES},
)
Organization: Any = derive(OrganizationModel, "Organization", description="A tenant: a company using Liaison.")
_ApiClientBase: Any = derive(ApiClientModel, "ApiClientFields", description="An API client.")


@strawberry.type(description="A machine integration that trades its credentials for tokens.")
class ApiClient(_ApiClientBase):  # type: ignore[misc]
    @strawberry.field(description="The id to send as `client_id` to /v1/oauth/token.")
    def client_id(self) -> strawberry.ID:
        return strawberry.ID(self.id)


@strawberry.type(description="A change, as recorded in the event log.")
class Event(Node):
    type: str
    occurred_at: datetime
    organization_id: strawberry.ID
    actor: JSON
    data: JSON


def organization(o: OrganizationModel) -> Any:
    return instance(Organization, o)


def api_client(c: ApiClientModel) -> ApiClient:
    return instance(ApiClient, c)


def event(e: EventModel) -> Event:
    return Event(
        id=strawberry.ID(e.id),
        type=e.type,
        occurred_at=e.occurred_at,
        organization_id=strawberry.ID(e.organization_id),
        actor=cast(Any, e.actor),
        data=cast(Any, e.data),
    )


def webhook_endpoint(e: WebhookEndpointModel) -> Any:
    return instance(WebhookEndpoint, e, url=e.resource()["url"])  # a chat URL shows masked, as over REST
