"""Handoff, HandoffPolicy and HandoffComment in GraphQL: fields derived from the domain, relations through
DataLoaders."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from app.domain.handoffs.history import timeline_of
from app.domain.handoffs.model import (
    COMMENT_FIELDS,
    COMMENT_READ_ONLY,
    HANDOFF_FIELDS,
    HANDOFF_READ_ONLY,
    POLICY_FIELDS,
)
from app.domain.handoffs.model import Handoff as HandoffModel
from app.domain.handoffs.model import HandoffComment as CommentModel
from app.domain.handoffs.model import HandoffPolicy as PolicyModel
from app.graphql.types.derive import derive, instance
from app.graphql.types.roles import RaciSubject

if TYPE_CHECKING:
    from app.graphql.types.objectives import Objective
    from app.graphql.types.org_chart import Person, Unit

_HandoffFields: Any = derive(
    HandoffModel,
    "HandoffFields",
    description="A handoff's own fields.",
    declared=(*HANDOFF_FIELDS, *HANDOFF_READ_ONLY),
)
_PolicyFields: Any = derive(
    PolicyModel,
    "HandoffPolicyFields",
    description="A handoff policy's own fields.",
    declared=POLICY_FIELDS,
)
_CommentFields: Any = derive(
    CommentModel,
    "HandoffCommentFields",
    description="A comment's own fields.",
    declared=(*COMMENT_FIELDS, *COMMENT_READ_ONLY),
)
UnitRef = Annotated["Unit", strawberry.lazy("app.graphql.types.org_chart")]
PersonRef = Annotated["Person", strawberry.lazy("app.graphql.types.org_chart")]
ObjectiveRef = Annotated["Objective", strawberry.lazy("app.graphql.types.objectives")]


@strawberry.type(description="Work passed from a unit to another: offered, accepted or declined, timed by two clocks.")
class Handoff(_HandoffFields, RaciSubject):  # type: ignore[misc]
    _model: strawberry.Private[Any] = None

    @strawberry.field(description="The sending unit.")
    async def from_unit(self, info: strawberry.Info) -> UnitRef | None:
        from app.graphql.types.org_chart import unit

        return unit(await info.context.loaders(None).unit.load(self.from_unit_id))

    @strawberry.field(description="The addressed unit.")
    async def to_unit(self, info: strawberry.Info) -> UnitRef | None:
        from app.graphql.types.org_chart import unit

        return unit(await info.context.loaders(None).unit.load(self.to_unit_id))

    @strawberry.field(description="The addressed person, if one.")
    async def to_person(self, info: strawberry.Info) -> PersonRef | None:
        from app.graphql.types.org_chart import person

        return person(await info.context.loaders(None).person.load(self.to_person_id)) if self.to_person_id else None

    @strawberry.field(description="The objective this work serves.")
    async def objective(self, info: strawberry.Info) -> ObjectiveRef | None:
        from app.graphql.types.objectives import objective

        if not self.objective_id:
            return None
        return objective(await info.context.objective_loaders(None).objective.load(self.objective_id))

    @strawberry.field(
        description="Every transition (who, when, from, to, why) and clock mark, with the clocks as they ran."
    )
    def timeline(self, info: strawberry.Info) -> list[JSON]:
        return info.context.counted(timeline_of(self._model))

    @strawberry.field(description="The comments, oldest first.")
    async def comments(self, info: strawberry.Info) -> list[HandoffComment]:
        found = await info.context.handoff_loaders().comments.load(self.id)
        return info.context.counted([instance(HandoffComment, c) for c in found])


@strawberry.type(description="The deadlines a send sets where the sender gave none.")
class HandoffPolicy(_PolicyFields):  # type: ignore[misc]
    pass


@strawberry.type(description="A comment on a handoff.")
class HandoffComment(_CommentFields):  # type: ignore[misc]
    pass


def handoff(h: HandoffModel | None) -> Any:
    return None if h is None else instance(Handoff, h, _model=h)


def policy(p: PolicyModel | None) -> Any:
    return None if p is None else instance(HandoffPolicy, p)


def comment(c: CommentModel | None) -> Any:
    return None if c is None else instance(HandoffComment, c)
