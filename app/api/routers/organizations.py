from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.api.conventions import Json, ListOf, PlainListing, entity_response, idempotent, page_body
from app.api.deps import LiaisonRoute, UoW
from app.api.schemas.common import PROBLEM_RESPONSES
from app.api.schemas.platform import Me, Organization, OrganizationCreate
from app.domain.organizations.me import who_is
from app.domain.organizations.service import Organizations
from app.domain.principal import PLATFORM_ADMIN

router = APIRouter(
    route_class=LiaisonRoute, prefix="/v1/organizations", tags=["Organizations"], responses=PROBLEM_RESPONSES
)
me_router = APIRouter(route_class=LiaisonRoute, prefix="/v1", tags=["Organizations"], responses=PROBLEM_RESPONSES)


@me_router.get("/me", response_model=Me, summary="Who this token is (any valid token)")
async def get_me(uow: UoW) -> Response:
    """The token's subject, organization, scopes, the person it acts as (`person` claim) and the API client
    it was issued to: what an integration checks on its first call."""
    return Json(await who_is(uow, uow.caller))


@router.post("", status_code=201, response_model=Organization, summary="Create an organization (platform:admin)")
async def create_organization(body: OrganizationCreate, request: Request, uow: UoW) -> Response:
    """Create an organization (a tenant). Only a `platform:admin` token may; the answer is the organization,
    whose id goes into tokens' `org` claim.
    """

    async def produce() -> Response:
        org = await Organizations(uow, uow.caller).create(body.name, body.slug, body.time_zone)
        return entity_response(org, 201, headers={"Location": f"/v1/organizations/{org.id}"})

    return await idempotent(request, uow, uow.caller, produce, PLATFORM_ADMIN)


@router.get("", response_model=ListOf[Organization], summary="List organizations (platform:admin)")
async def list_organizations(query: PlainListing, uow: UoW) -> Response:
    """Every organization of this Liaison, oldest first, a page at a time."""
    return page_body(await Organizations(uow, uow.caller).list(query), lambda o: o.resource())


@router.get(
    "/{organization_id}",
    response_model=Organization,
    summary="Get an organization (platform:admin, or a token of that organization)",
)
async def get_organization(organization_id: str, uow: UoW) -> Response:
    """One organization: a `platform:admin` token may read any, a token of the organization its own."""
    return entity_response(await Organizations(uow, uow.caller).get(organization_id))
