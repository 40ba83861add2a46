"""Mutations of roles, role assignments and RACI entries: each calls the same service method as its REST
route, in its own transaction, and answers `{<object>, userErrors}`. Inputs are derived from the domain's
declaration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from app.domain.roles.model import (
    RACI_FIELDS,
    RACI_WRITABLE,
    ROLE_ASSIGNMENT_FIELDS,
    ROLE_ASSIGNMENT_WRITABLE,
    ROLE_FIELDS,
)
from app.domain.roles.raci import Roles
from app.graphql.mutations.common import UserError, run_service
from app.graphql.types.inputs import derive_input, for_create, given
from app.graphql.types.roles import RaciEntry, Role, RoleAssignment, assignment, raci_entry, role

CreateRoleInput: Any = derive_input("CreateRoleInput", ROLE_FIELDS, update=False, description="A new role.")
UpdateRoleInput: Any = derive_input(
    "UpdateRoleInput", ROLE_FIELDS, update=True, description="Absent fields stay as they are; lists are replaced."
)
CreateRoleAssignmentInput: Any = derive_input(
    "CreateRoleAssignmentInput", ROLE_ASSIGNMENT_FIELDS, update=False, description="A person given a role."
)
UpdateRoleAssignmentInput: Any = derive_input(
    "UpdateRoleAssignmentInput",
    [f for f in ROLE_ASSIGNMENT_FIELDS if f.name in ROLE_ASSIGNMENT_WRITABLE],
    update=True,
    description="The scope or the dates; set endsOn to end it.",
)
CreateRaciEntryInput: Any = derive_input(
    "CreateRaciEntryInput", RACI_FIELDS, update=False, description="A party's letter on a subject."
)
UpdateRaciEntryInput: Any = derive_input(
    "UpdateRaciEntryInput",
    [f for f in RACI_FIELDS if f.name in RACI_WRITABLE],
    update=True,
    description="The letter or the inheritance.",
)


async def _run(info: strawberry.Info, work: Callable[[Roles], Awaitable[Any]]) -> tuple[Any, list[UserError]]:
    return await run_service(info, Roles, work)


@strawberry.type
class RolePayload:
    role: Role | None
    user_errors: list[UserError]


@strawberry.type
class RoleAssignmentPayload:
    role_assignment: RoleAssignment | None
    user_errors: list[UserError]


@strawberry.type
class RaciEntryPayload:
    raci_entry: RaciEntry | None
    user_errors: list[UserError]


@strawberry.type
class DeletePayload:
    deleted_id: strawberry.ID | None
    user_errors: list[UserError]


@strawberry.type
class RolesMutation:
    @strawberry.mutation(description="The same as POST /v1/roles.")
    async def create_role(self, info: strawberry.Info, input: CreateRoleInput) -> RolePayload:
        r, errors = await _run(info, lambda s: s.create_role(for_create(input)))
        return RolePayload(role=role(r), user_errors=errors)

    @strawberry.mutation(description="The same as PATCH /v1/roles/{id}.")
    async def update_role(
        self, info: strawberry.Info, id: strawberry.ID, input: UpdateRoleInput, if_match_version: int | None = None
    ) -> RolePayload:
        r, errors = await _run(info, lambda s: s.update_role(str(id), given(input), if_match_version))
        return RolePayload(role=role(r), user_errors=errors)

    @strawberry.mutation(description="The same as DELETE /v1/roles/{id}.")
    async def delete_role(
        self, info: strawberry.Info, id: strawberry.ID, if_match_version: int | None = None
    ) -> DeletePayload:
        _, errors = await _run(info, lambda s: s.delete_role(str(id), if_match_version))
        return DeletePayload(deleted_id=None if errors else id, user_errors=errors)

    @strawberry.mutation(description="The same as POST /v1/role-assignments.")
    async def create_role_assignment(
        self, info: strawberry.Info, input: CreateRoleAssignmentInput
    ) -> RoleAssignmentPayload:
        a, errors = await _run(info, lambda s: s.create_role_assignment(for_create(input)))
        return RoleAssignmentPayload(role_assignment=assignment(a), user_errors=errors)

    @strawberry.mutation(description="The same as PATCH /v1/role-assignments/{id}.")
    async def update_role_assignment(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        input: UpdateRoleAssignmentInput,
        if_match_version: int | None = None,
    ) -> RoleAssignmentPayload:
        a, errors = await _run(info, lambda s: s.update_role_assignment(str(id), given(input), if_match_version))
        return RoleAssignmentPayload(role_assignment=assignment(a), user_errors=errors)

    @strawberry.mutation(description="The same as DELETE /v1/role-assignments/{id}.")
    async def delete_role_assignment(
        self, info: strawberry.Info, id: strawberry.ID, if_match_version: int | None = None
    ) -> DeletePayload:
        _, errors = await _run(info, lambda s: s.delete_role_assignment(str(id), if_match_version))
        return DeletePayload(deleted_id=None if errors else id, user_errors=errors)

    @strawberry.mutation(description="The same as POST /v1/raci: at most one A per subject (a conflict).")
    async def create_raci_entry(self, info: strawberry.Info, input: CreateRaciEntryInput) -> RaciEntryPayload:
        e, errors = await _run(info, lambda s: s.create_raci_entry(for_create(input)))
        return RaciEntryPayload(raci_entry=raci_entry(e), user_errors=errors)

    @strawberry.mutation(description="The same as PATCH /v1/raci/{id}.")
    async def update_raci_entry(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        input: UpdateRaciEntryInput,
        if_match_version: int | None = None,
    ) -> RaciEntryPayload:
        e, errors = await _run(info, lambda s: s.update_raci_entry(str(id), given(input), if_match_version))
        return RaciEntryPayload(raci_entry=raci_entry(e), user_errors=errors)

    @strawberry.mutation(description="The same as DELETE /v1/raci/{id}.")
    async def delete_raci_entry(
        self, info: strawberry.Info, id: strawberry.ID, if_match_version: int | None = None
    ) -> DeletePayload:
        _, errors = await _run(info, lambda s: s.delete_raci_entry(str(id), if_match_version))
        return DeletePayload(deleted_id=None if errors else id, user_errors=errors)
