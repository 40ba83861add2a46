"""What every area's use cases stand on: the caller, its unit of work and clock, the scope checks, and the
events the use cases record."""

from __future__ import annotations

from typing import Any

from app.domain.changes import record
from app.domain.clock import SYSTEM_CLOCK
from app.domain.ports import Clock, UnitOfWork
from app.domain.principal import Principal


class UseCases:
    def __init__(
        self, uow: UnitOfWork, principal: Principal, clock: Clock = SYSTEM_CLOCK, actor: dict[str, Any] | None = None
    ) -> None:
        self.uow, self.principal, self.clock = uow, principal, clock
        self.actor = actor  # who events name, when not the principal (the scheduler)
        self._zone: str | None = None

    def _org(self, scope: str) -> str:
        """The caller's organization, once the caller is known to hold `scope`."""
        self.principal.require(scope)
        return self.principal.require_organization()

    async def time_zone(self) -> str:
        """The organization's IANA time zone: the day its periods, cadences and anonymous items count in."""
        if self._zone is None:
            org = await self.uow.organizations.get(self.principal.require_organization())
            self._zone = org.time_zone if org is not None else "UTC"
        return self._zone

    def _record(
        self, event_type: str, obj: dict[str, Any], previous: dict[str, Any] | None = None, **details: Any
    ) -> None:
        org = self.principal.require_organization()
        record(self.uow, self.principal, self.clock, event_type, obj, org, previous, self.actor, details)
