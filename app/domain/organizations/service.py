from __future__ import annotations

from app.domain.changes import record
from app.domain.clock import SYSTEM_CLOCK
from app.domain.errors import Conflict, NotFound
from app.domain.ids import new_id
from app.domain.model import ListQuery, Page
from app.domain.organizations.model import Organization, check_organization
from app.domain.ports import Clock, UnitOfWork
from app.domain.principal import PLATFORM_ADMIN, Principal


class Organizations:
    def __init__(self, uow: UnitOfWork, principal: Principal, clock: Clock = SYSTEM_CLOCK) -> None:
        self.uow, self.principal, self.clock = uow, principal, clock

    async def create(self, name: str, slug: str, time_zone: str = "UTC") -> Organization:
        self.principal.require(PLATFORM_ADMIN)
        check_organization(name, slug, time_zone)
        if await self.uow.organizations.get_by_slug(slug) is not None:
            raise Conflict(f"The slug {slug!r} is taken.", field="/slug")
        now = self.clock.now()
        org_id = new_id("org")
        org = Organization(
            id=org_id,
            organization_id=org_id,
            created_at=now,
            updated_at=now,
            name=name.strip(),
            slug=slug,
            time_zone=time_zone,
        )
        await self.uow.organizations.add(org)
        record(self.uow, self.principal, self.clock, "organization.created", org.resource(), org.id)
        return org

    async def get(self, organization_id: str) -> Organization:
        """Platform admins see every organization; an organization's token sees its own only."""
        if not (self.principal.has(PLATFORM_ADMIN) or self.principal.organization_id == organization_id):
            raise NotFound(f"No organization {organization_id}.")
        org = await self.uow.organizations.get(organization_id)
        if org is None:
            raise NotFound(f"No organization {organization_id}.")
        return org

    async def list(self, query: ListQuery) -> Page[Organization]:
        self.principal.require(PLATFORM_ADMIN)
        return await self.uow.organizations.list(query)
