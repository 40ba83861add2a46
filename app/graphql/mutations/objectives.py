"""Mutations of shared objectives: each calls the same service method as its REST route, in its own
transaction, and answers `{<object>, userErrors}`. Inputs are derived from the domain's declaration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from app.domain.objectives.model import CHECK_IN_FIELDS, KEY_RESULT_FIELDS, OBJECTIVE_FIELDS
from app.domain.objectives.service import Objectives
from app.graphql.mutations.common import UserError, run_service
from app.graphql.types.inputs import derive_input, for_create, given
from app.graphql.types.objectives import CheckIn, KeyResult, Objective, check_in, key_result, objective

CreateObjectiveInput: Any = derive_input(
    "CreateObjectiveInput", OBJECTIVE_FIELDS, update=False, description="A new objective (status draft or active)."
)
UpdateObjectiveInput: Any = derive_input(
    "UpdateObjectiveInput",
    OBJECTIVE_FIELDS,
    update=True,
    description="Absent fields stay as they are; null clears a field. `status` moves by the rule table.",
)
CreateKeyResultInput: Any = derive_input(
    "CreateKeyResultInput", KEY_RESULT_FIELDS, update=False, description="A new key result of an open objective."
)
UpdateKeyResultInput: Any = derive_input(
    "UpdateKeyResultInput",
    [f for f in KEY_RESULT_FIELDS if f.name != "objective_id"],
    update=True,
    description="Absent fields stay as they are; null clears a field. The value moves only by check-ins.",
)
CreateCheckInInput: Any = derive_input(
    "CreateCheckInInput", CHECK_IN_FIELDS, update=False, description="A key result's value now."
)


async def _run(info: strawberry.Info, work: Callable[[Objectives], Awaitable[Any]]) -> tuple[Any, list[UserError]]:
    return await run_service(info, Objectives, work)


@strawberry.type
class ObjectivePayload:
    objective: Objective | None
    user_errors: list[UserError]


@strawberry.type
class DeleteObjectivePayload:
    deleted_objective_id: strawberry.ID | None
    user_errors: list[UserError]


@strawberry.type
class KeyResultPayload:
    key_result: KeyResult | None
    user_errors: list[UserError]


@strawberry.type
class DeleteKeyResultPayload:
    deleted_key_result_id: strawberry.ID | None
    user_errors: list[UserError]


@strawberry.type
class CheckInPayload:
    check_in: CheckIn | None
    user_errors: list[UserError]


@strawberry.type
class ObjectivesMutation:
    @strawberry.mutation(description="The same as POST /v1/objectives.")
    async def create_objective(self, info: strawberry.Info, input: CreateObjectiveInput) -> ObjectivePayload:
        o, errors = await _run(info, lambda s: s.create_objective(for_create(input)))
        return ObjectivePayload(objective=objective(o), user_errors=errors)

    @strawberry.mutation(description="The same as PATCH /v1/objectives/{id}. `ifMatchVersion` refuses a stale change.")
    async def update_objective(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        input: UpdateObjectiveInput,
        if_match_version: int | None = None,
    ) -> ObjectivePayload:
        o, errors = await _run(info, lambda s: s.update_objective(str(id), given(input), if_match_version))
        return ObjectivePayload(objective=objective(o), user_errors=errors)

    @strawberry.mutation(description="The same as DELETE /v1/objectives/{id}.")
    async def delete_objective(
        self, info: strawberry.Info, id: strawberry.ID, if_match_version: int | None = None
    ) -> DeleteObjectivePayload:
        _, errors = await _run(info, lambda s: s.delete_objective(str(id), if_match_version))
        return DeleteObjectivePayload(deleted_objective_id=None if errors else id, user_errors=errors)

    @strawberry.mutation(description="The same as POST /v1/key-results.")
    async def create_key_result(self, info: strawberry.Info, input: CreateKeyResultInput) -> KeyResultPayload:
        k, errors = await _run(info, lambda s: s.create_key_result(for_create(input)))
        return KeyResultPayload(key_result=key_result(k), user_errors=errors)

    @strawberry.mutation(description="The same as PATCH /v1/key-results/{id}.")
    async def update_key_result(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        input: UpdateKeyResultInput,
        if_match_version: int | None = None,
    ) -> KeyResultPayload:
        k, errors = await _run(info, lambda s: s.update_key_result(str(id), given(input), if_match_version))
        return KeyResultPayload(key_result=key_result(k), user_errors=errors)

    @strawberry.mutation(description="The same as DELETE /v1/key-results/{id}.")
    async def delete_key_result(
        self, info: strawberry.Info, id: strawberry.ID, if_match_version: int | None = None
    ) -> DeleteKeyResultPayload:
        _, errors = await _run(info, lambda s: s.delete_key_result(str(id), if_match_version))
        return DeleteKeyResultPayload(deleted_key_result_id=None if errors else id, user_errors=errors)

    @strawberry.mutation(description="The same as POST /v1/check-ins: the roll-up runs in the same transaction.")
    async def create_check_in(self, info: strawberry.Info, input: CreateCheckInInput) -> CheckInPayload:
        c, errors = await _run(info, lambda s: s.create_check_in(for_create(input)))
        return CheckInPayload(check_in=check_in(c), user_errors=errors)
