"""Per-request DataLoaders, one set per `asOf` instant, each calling the org chart's batched reads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from strawberry.dataloader import DataLoader

from app.domain.handoffs.batches import HandoffBatches
from app.domain.handoffs.model import Handoff, HandoffComment
from app.domain.objectives.batches import ObjectiveBatches
from app.domain.objectives.model import CheckIn, KeyResult, Objective
from app.domain.org_chart.model import Membership, Person, Unit
from app.domain.org_chart.service import OrgChartBatches
from app.domain.roles.batches import RoleBatches
from app.domain.roles.model import RaciEntry, Role, RoleAssignment
from app.domain.roles.resolve import Resolution
from app.domain.roles.views import Responsibilities


class OrgLoaders:
    def __init__(self, context: Any, as_of: datetime | None) -> None:
        self.context, self.as_of = context, as_of

        def loader(
            fetch: Callable[[OrgChartBatches, list[str]], Awaitable[dict[str, Any]]], default: Any
        ) -> DataLoader[str, Any]:
            async def batch(keys: Sequence[str]) -> list[Any]:
                async with self.context.read() as uow:
                    found = await fetch(OrgChartBatches(uow, self.context.principal, self.as_of), list(keys))
                return [found.get(k, default) for k in keys]

            return DataLoader(load_fn=batch)

        self.unit: DataLoader[str, Unit | None] = loader(lambda b, k: b.units(k), None)
        self.person: DataLoader[str, Person | None] = loader(lambda b, k: b.people(k), None)
        self.children: DataLoader[str, list[Unit]] = loader(lambda b, k: b.children(k), [])
        self.reports: DataLoader[str, list[Person]] = loader(lambda b, k: b.reports(k), [])
        self.unit_memberships: DataLoader[str, list[Membership]] = loader(lambda b, k: b.memberships_of_units(k), [])
        self.person_memberships: DataLoader[str, list[Membership]] = loader(lambda b, k: b.memberships_of_people(k), [])
        self.person_units: DataLoader[str, list[Unit]] = loader(lambda b, k: b.units_of_people(k), [])
        self.ancestors: DataLoader[str, list[Unit]] = loader(lambda b, k: b.ancestors(k), [])


class ObjectiveLoaders:
    """Objectives, key results and check-ins, one set per `asOf` instant."""

    def __init__(self, context: Any, as_of: datetime | None) -> None:
        self.context, self.as_of = context, as_of

        def loader(
            fetch: Callable[[ObjectiveBatches, list[str]], Awaitable[dict[str, Any]]], default: Any
        ) -> DataLoader[str, Any]:
            async def batch(keys: Sequence[str]) -> list[Any]:
                async with self.context.read() as uow:
                    found = await fetch(ObjectiveBatches(uow, self.context.principal, self.as_of), list(keys))
                return [found.get(k, default) for k in keys]

            return DataLoader(load_fn=batch)

        self.objective: DataLoader[str, Objective | None] = loader(lambda b, k: b.objectives(k), None)
        self.children: DataLoader[str, list[Objective]] = loader(lambda b, k: b.children(k), [])
        self.unit_objectives: DataLoader[str, list[Objective]] = loader(lambda b, k: b.of_units(k), [])
        self.unit_contributions: DataLoader[str, list[Objective]] = loader(lambda b, k: b.contributions_of_units(k), [])
        self.key_results: DataLoader[str, list[KeyResult]] = loader(lambda b, k: b.key_results(k), [])
        self.key_result: DataLoader[str, KeyResult | None] = loader(lambda b, k: b.key_results_by_id(k), None)
        self.key_result_check_ins: DataLoader[str, list[CheckIn]] = loader(
            lambda b, k: b.check_ins_of_key_results(k), []
        )
        self.objective_check_ins: DataLoader[str, list[CheckIn]] = loader(lambda b, k: b.check_ins_of_objectives(k), [])


class HandoffLoaders:
    """Handoffs by id, by addressed or sending unit, and their comments (the present only)."""

    def __init__(self, context: Any) -> None:
        self.context = context

        def loader(
            fetch: Callable[[HandoffBatches, list[str]], Awaitable[dict[str, Any]]], default: Any
        ) -> DataLoader[str, Any]:
            async def batch(keys: Sequence[str]) -> list[Any]:
                async with self.context.read() as uow:
                    found = await fetch(HandoffBatches(uow, self.context.principal), list(keys))
                return [found.get(k, default) for k in keys]

            return DataLoader(load_fn=batch)

        self.handoff: DataLoader[str, Handoff | None] = loader(lambda b, k: b.handoffs(k), None)
        self.incoming: DataLoader[str, list[Handoff]] = loader(lambda b, k: b.incoming(k), [])
        self.outgoing: DataLoader[str, list[Handoff]] = loader(lambda b, k: b.outgoing(k), [])
        self.comments: DataLoader[str, list[HandoffComment]] = loader(lambda b, k: b.comments(k), [])


class RoleLoaders:
    """Roles by id and by owning unit, the assignments of people and roles, RACI entries, resolutions and
    responsibilities, one set per `asOf` instant."""

    def __init__(self, context: Any, as_of: datetime | None) -> None:
        self.context, self.as_of = context, as_of

        def loader(
            fetch: Callable[[RoleBatches, list[str]], Awaitable[dict[str, Any]]], default: Any
        ) -> DataLoader[str, Any]:
            async def batch(keys: Sequence[str]) -> list[Any]:
                async with self.context.read() as uow:
                    batches = RoleBatches(uow, self.context.principal, self.context.now(), self.as_of)
                    found = await fetch(batches, list(keys))
                return [found.get(k, default) for k in keys]

            return DataLoader(load_fn=batch)

        self.role: DataLoader[str, Role | None] = loader(lambda b, k: b.roles(k), None)
        self.unit_roles: DataLoader[str, list[Role]] = loader(lambda b, k: b.roles_of_units(k), [])
        self.person_assignments: DataLoader[str, list[RoleAssignment]] = loader(
            lambda b, k: b.assignments_of_people(k), []
        )
        self.role_assignments: DataLoader[str, list[RoleAssignment]] = loader(
            lambda b, k: b.assignments_of_roles(k), []
        )
        self.raci: DataLoader[str, list[RaciEntry]] = loader(lambda b, k: b.raci(k), [])
        self.resolved: DataLoader[str, Resolution | None] = loader(lambda b, k: b.resolved(k), None)
        self.responsibilities: DataLoader[str, Responsibilities | None] = loader(
            lambda b, k: b.responsibilities(k), None
        )
