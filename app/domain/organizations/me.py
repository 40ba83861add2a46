"""Who a token is: its organization, its scopes, the person it acts as, the API client it was issued to."""

from __future__ import annotations

from typing import Any

from app.domain.ports import UnitOfWork
from app.domain.principal import Principal


async def who_is(uow: UnitOfWork, principal: Principal) -> dict[str, Any]:
    """Any valid token may ask; it learns of itself only (its person's name and email, its organization)."""
    org = await uow.organizations.get(principal.organization_id) if principal.organization_id else None
    person = await uow.people.get(principal.person_id) if principal.person_id and org else None
    return {
        "subject": principal.subject,
        "organization": None if org is None else {k: org.resource()[k] for k in ("id", "name", "slug", "time_zone")},
        "scopes": sorted(principal.scopes),
        "person": None
        if person is None
        else {k: person.resource()[k] for k in ("id", "given_name", "family_name", "email", "status")},
        "client_id": principal.client_id,
        "platform": principal.is_platform,
    }
