"""SCIM's discovery endpoints (RFC 7644 §4): what Liaison serves and how, for any client, with no token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    ETag,
    Filter,
    ListResponse,
    Meta,
    Patch,
    Schema,
    ServiceProviderConfig,
    Sort,
)
from starlette.responses import Response

from app.api.scim.errors import scim_error, scim_json
from app.api.scim.models import MAX_COUNT, EnterpriseUser, Group, User, resource_types

router = APIRouter(prefix="/scim/v2", include_in_schema=False)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/scim/v2"


def service_provider_config(base: str) -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri="https://datatracker.ietf.org/doc/html/rfc7644",
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_COUNT),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="OAuth Bearer Token",
                description="A JWT with the `scim` scope (an API client's token from /v1/oauth/token).",
                primary=True,
            )
        ],
        meta=Meta(resource_type="ServiceProviderConfig", location=f"{base}/ServiceProviderConfig"),
    )


def schemas(base: str) -> list[Schema]:
    out = []
    for model, name in ((User, "User"), (Group, "Group"), (EnterpriseUser, "EnterpriseUser")):
        schema = model.to_schema()
        schema.name = name
        schema.meta = Meta(resource_type="Schema", location=f"{base}/Schemas/{schema.id}")
        out.append(schema)
    return out


def _discovery(body: Any) -> Response:
    return scim_json(body.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


def _listing(items: list[Any]) -> Response:
    listing: Any = ListResponse[type(items[0])]  # type: ignore[misc]
    page = listing(total_results=len(items), start_index=1, items_per_page=len(items), resources=items)
    return scim_json(page.model_dump(scim_ctx=Context.SEARCH_RESPONSE))


@router.get("/ServiceProviderConfig")
async def get_service_provider_config(request: Request) -> Response:
    return _discovery(service_provider_config(_base(request)))


@router.get("/Schemas")
async def list_schemas(request: Request) -> Response:
    return _listing(schemas(_base(request)))


def _one(items: list[Any], wanted: str, what: str) -> Response:
    found = next((x for x in items if str(x.id).lower() == wanted.lower()), None)
    return _discovery(found) if found is not None else scim_error(404, f"No {what} {wanted}.")


@router.get("/Schemas/{schema_id}")
async def get_schema(schema_id: str, request: Request) -> Response:
    return _one(schemas(_base(request)), schema_id, "schema")


@router.get("/ResourceTypes")
async def list_resource_types(request: Request) -> Response:
    return _listing(resource_types(_base(request)))


@router.get("/ResourceTypes/{type_id}")
async def get_resource_type(type_id: str, request: Request) -> Response:
    return _one(resource_types(_base(request)), type_id, "resource type")


@router.post("/.search")
async def search_everything(request: Request) -> Response:
    """Searching Users and Groups at once is not offered: search each endpoint (RFC 7644 §3.4.3)."""
    return scim_error(501, "Search /Users/.search or /Groups/.search; searching both at once is not offered.")
