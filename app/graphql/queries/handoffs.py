"""Root fields of handoffs: handoff, handoffs, handoffPolicies."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from app.domain.collaboration import Collaboration
from app.domain.errors import NotFound
from app.domain.handoffs.policies import HandoffPolicies
from app.graphql.queries.objectives import _arg, _common
from app.graphql.queries.org_chart import _connection, _query
from app.graphql.types.collaboration import CollaborationPair, collaboration_pair
from app.graphql.types.handoffs import Handoff, HandoffPolicy, handoff, policy
from app.graphql.types.org_chart import Connection


@strawberry.type
class HandoffsQuery:
    @strawberry.field(description="A handoff by id (null when it does not exist in your organization).")
    async def handoff(self, info: strawberry.Info, id: strawberry.ID) -> Handoff | None:
        try:
            async with info.context.read() as uow:
                return handoff(await HandoffPolicies(uow, info.context.principal).get_handoff(str(id)))
        except NotFound:
            return None

    @strawberry.field(description="Handoffs, oldest first; filter by status, unit, overdue and external ref.")
    async def handoffs(
        self,
        info: strawberry.Info,
        first: int = 50,
        after: str | None = None,
        status: Annotated[str | None, _arg("draft, sent, accepted, waiting, completed, declined, cancelled.")] = None,
        from_unit_id: Annotated[strawberry.ID | None, _arg("Only the handoffs this unit sent.")] = None,
        to_unit_id: Annotated[strawberry.ID | None, _arg("Only the handoffs addressed to this unit.")] = None,
        overdue: Annotated[bool | None, _arg("Only handoffs with a clock past its deadline (or not).")] = None,
        external_ref: Annotated[str | None, _arg("`system:id`: the handoff that carries this reference.")] = None,
    ) -> Connection[Handoff]:
        query = _common(
            _query(first, after, status=status, from_unit_id=from_unit_id, to_unit_id=to_unit_id, overdue=overdue),
            None,
            external_ref,
        )
        async with info.context.read() as uow:
            page = await HandoffPolicies(uow, info.context.principal).list_handoffs(query)
        return _connection(page, handoff)

    @strawberry.field(
        description="The same as GET /v1/analytics/handoffs: per directed pair of units, the handoffs offered in"
        " the period (counts by outcome, acceptance rate, median and p90 seconds to accept, overdue rate,"
        " decline reasons)."
    )
    async def handoff_analytics(self, info: strawberry.Info, period_start: date, period_end: date) -> list[JSON]:
        async with info.context.read() as uow:
            pairs = await HandoffPolicies(uow, info.context.principal).analytics(period_start, period_end)
        info.context.spend(len(pairs))
        return pairs  # type: ignore[return-value]

    @strawberry.field(
        description="The same as GET /v1/analytics/collaboration: per pair of units that share something in the"
        " period, the handoffs each way, the objectives one owns and the other contributes to, survey scores"
        " (none under a survey's threshold) and the people in both."
    )
    async def collaboration(
        self, info: strawberry.Info, period_start: date, period_end: date
    ) -> list[CollaborationPair]:
        async with info.context.read() as uow:
            pairs = await Collaboration(uow, info.context.principal).pairs(period_start, period_end)
        nested = sum(len(p["shared_objectives"] or []) + len(p["survey_scores"] or []) for p in pairs)
        info.context.spend(len(pairs) + nested)  # what the answer holds, counted against the query's maximum
        return [collaboration_pair(p) for p in pairs]

    @strawberry.field(description="The handoff policies.")
    async def handoff_policies(
        self, info: strawberry.Info, first: int = 50, after: str | None = None
    ) -> Connection[HandoffPolicy]:
        async with info.context.read() as uow:
            page = await HandoffPolicies(uow, info.context.principal).list_handoff_policies(_query(first, after))
        return _connection(page, policy)
