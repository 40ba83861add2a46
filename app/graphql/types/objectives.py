"""Objective, KeyResult and CheckIn in GraphQL: fields derived from the domain, relations through
DataLoaders (a bounded number of statements whatever the tree's size), `asOf` carried down."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from app.domain.objectives.model import (
    CHECK_IN_FIELDS,
    CHECK_IN_READ_ONLY,
    KEY_RESULT_FIELDS,
    KEY_RESULT_READ_ONLY,
    OBJECTIVE_FIELDS,
)
from app.domain.objectives.model import CheckIn as CheckInModel
from app.domain.objectives.model import KeyResult as KeyResultModel
from app.domain.objectives.model import Objective as ObjectiveModel
from app.domain.objectives.progress import HEALTH_RULE, OBJECTIVE_READ_ONLY, explain
from app.graphql.types.derive import derive, instance
from app.graphql.types.roles import RaciSubject

if TYPE_CHECKING:
    from app.graphql.types.org_chart import Person, Unit

_ObjectiveFields: Any = derive(
    ObjectiveModel,
    "ObjectiveFields",
    description="An objective's own fields.",
    declared=(*OBJECTIVE_FIELDS, *OBJECTIVE_READ_ONLY),
)
_KeyResultFields: Any = derive(
    KeyResultModel,
    "KeyResultFields",
    description="A key result's own fields.",
    declared=(*KEY_RESULT_FIELDS, *KEY_RESULT_READ_ONLY),
)
_CheckInFields: Any = derive(
    CheckInModel,
    "CheckInFields",
    description="A check-in's own fields.",
    declared=(*CHECK_IN_FIELDS, *CHECK_IN_READ_ONLY),
)
UnitRef = Annotated["Unit", strawberry.lazy("app.graphql.types.org_chart")]
PersonRef = Annotated["Person", strawberry.lazy("app.graphql.types.org_chart")]


def _loaders(info: strawberry.Info, as_of: datetime | None) -> Any:
    return info.context.objective_loaders(as_of)


def _org(info: strawberry.Info, as_of: datetime | None) -> Any:
    return info.context.loaders(as_of)


@strawberry.type(description="One input of an objective's progress: a key result or an aligned objective.")
class Contribution:
    kind: str = strawberry.field(description="key_result or objective.")
    id: strawberry.ID
    title: str
    progress: float
    weight: float
    share: float = strawberry.field(description="weight × progress / totalWeight.")


@strawberry.type(description="Every input of an objective's progress, the shares summing to the figure.")
class ProgressExplained:
    objective_id: strawberry.ID
    progress_rule: str
    progress: float
    total_weight: float
    inputs: list[Contribution]


@strawberry.type(description="A shared objective: owned by a unit, aligned to a higher one. Health: " + HEALTH_RULE)
class Objective(_ObjectiveFields, RaciSubject):  # type: ignore[misc]
    as_of: strawberry.Private[datetime | None] = None

    @strawberry.field(description="The objective this one aligns to.")
    async def parent(self, info: strawberry.Info) -> Objective | None:
        if not self.parent_id:
            return None
        return objective(await _loaders(info, self.as_of).objective.load(self.parent_id), self.as_of)

    @strawberry.field(description="The objectives aligned to this one.")
    async def children(self, info: strawberry.Info) -> list[Objective]:
        found = await _loaders(info, self.as_of).children.load(self.id)
        return info.context.counted([objective(o, self.as_of) for o in found])

    @strawberry.field(description="The objective's key results.")
    async def key_results(self, info: strawberry.Info) -> list[KeyResult]:
        found = await _loaders(info, self.as_of).key_results.load(self.id)
        return info.context.counted([key_result(k, self.as_of) for k in found])

    @strawberry.field(description="The units that contribute to it.")
    async def contributors(self, info: strawberry.Info) -> list[UnitRef]:
        from app.graphql.types.org_chart import unit

        found = await _org(info, self.as_of).unit.load_many(list(self.contributor_unit_ids))
        return info.context.counted([unit(u, self.as_of) for u in found if u is not None])

    @strawberry.field(description="The unit that owns it.")
    async def owner_unit(self, info: strawberry.Info) -> UnitRef | None:
        from app.graphql.types.org_chart import unit

        return unit(await _org(info, self.as_of).unit.load(self.owner_unit_id), self.as_of)

    @strawberry.field(description="The person who owns it.")
    async def owner_person(self, info: strawberry.Info) -> PersonRef | None:
        from app.graphql.types.org_chart import person

        if not self.owner_person_id:
            return None
        return person(await _org(info, self.as_of).person.load(self.owner_person_id), self.as_of)

    @strawberry.field(description="Every input of its progress with its weight and share (REST: GET …/progress).")
    async def progress_explained(self, info: strawberry.Info) -> ProgressExplained:
        loaders = _loaders(info, self.as_of)
        model = await loaders.objective.load(self.id)
        key_results = await loaders.key_results.load(self.id)
        children = await loaders.children.load(self.id) if self.progress_rule != "key_results" else []
        found = explain(model, key_results, children)
        inputs = [
            Contribution(
                kind=c.kind, id=strawberry.ID(c.id), title=c.title, progress=c.progress, weight=c.weight, share=c.share
            )
            for c in found.inputs
        ]
        return ProgressExplained(
            objective_id=strawberry.ID(found.objective_id),
            progress_rule=found.progress_rule,
            progress=found.progress,
            total_weight=found.total_weight,
            inputs=info.context.counted(inputs),
        )

    @strawberry.field(description="The latest check-ins of its key results (at most 50), newest first.")
    async def check_ins(self, info: strawberry.Info) -> list[CheckIn]:
        found = await _loaders(info, self.as_of).objective_check_ins.load(self.id)
        return info.context.counted([check_in(c) for c in reversed(found)])


@strawberry.type(description="A measure of an objective, from its start value to its target.")
class KeyResult(_KeyResultFields, RaciSubject):  # type: ignore[misc]
    as_of: strawberry.Private[datetime | None] = None

    @strawberry.field(description="The objective it measures.")
    async def objective(self, info: strawberry.Info) -> Objective | None:
        return objective(await _loaders(info, self.as_of).objective.load(self.objective_id), self.as_of)

    @strawberry.field(description="The person who owns it.")
    async def owner_person(self, info: strawberry.Info) -> PersonRef | None:
        from app.graphql.types.org_chart import person

        if not self.owner_person_id:
            return None
        return person(await _org(info, self.as_of).person.load(self.owner_person_id), self.as_of)

    @strawberry.field(description="Its latest check-ins (at most 50), newest first.")
    async def check_ins(self, info: strawberry.Info) -> list[CheckIn]:
        found = await _loaders(info, self.as_of).key_result_check_ins.load(self.id)
        return info.context.counted([check_in(c) for c in reversed(found)])


@strawberry.type(description="A key result's value at a moment, with a confidence and a note. Never changed.")
class CheckIn(_CheckInFields):  # type: ignore[misc]
    @strawberry.field(description="The key result it moved.")
    async def key_result(self, info: strawberry.Info) -> KeyResult | None:
        return key_result(await _loaders(info, None).key_result.load(self.key_result_id))


def objective(o: ObjectiveModel | None, as_of: datetime | None = None) -> Any:
    return None if o is None else instance(Objective, o, as_of=as_of)


def key_result(k: KeyResultModel | None, as_of: datetime | None = None) -> Any:
    return None if k is None else instance(KeyResult, k, as_of=as_of)


def check_in(c: CheckInModel | None) -> Any:
    return None if c is None else instance(CheckIn, c)
