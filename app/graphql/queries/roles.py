"""Root fields of roles and RACI: role, roles, roleAssignments, raciEntries, raciResolved, raciMatrix."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from app.domain.errors import NotFound
from app.domain.roles.raci import Roles
from app.graphql.queries.objectives import AS_OF, _arg
from app.graphql.queries.org_chart import _connection, _query
from app.graphql.types.org_chart import Connection
from app.graphql.types.roles import (
    RaciEntry,
    RaciMatrix,
    RaciResolved,
    Role,
    RoleAssignment,
    assignment,
    raci_entry,
    raci_matrix,
    resolved,
    role,
)


@strawberry.type
class RolesQuery:
    @strawberry.field(description="A role by id (null when it does not exist in your organization).")
    async def role(self, info: strawberry.Info, id: strawberry.ID, as_of: datetime | None = None) -> Role | None:
        try:
            async with info.context.read() as uow:
                return role(await Roles(uow, info.context.principal).get_role(str(id), as_of), as_of)
        except NotFound:
            return None

    @strawberry.field(description="Roles, oldest first; filter by owning unit.")
    async def roles(
        self,
        info: strawberry.Info,
        first: int = 50,
        after: str | None = None,
        unit_id: Annotated[strawberry.ID | None, _arg("Only the roles this unit owns.")] = None,
        as_of: Annotated[datetime | None, _arg(AS_OF)] = None,
    ) -> Connection[Role]:
        async with info.context.read() as uow:
            page = await Roles(uow, info.context.principal).list_roles(_query(first, after, unit_id=unit_id), as_of)
        return _connection(page, lambda r: role(r, as_of))

    @strawberry.field(
        description="Role assignments; with `asOf`, those that ran on that day as they were recorded then."
    )
    async def role_assignments(
        self,
        info: strawberry.Info,
        first: int = 50,
        after: str | None = None,
        role_id: Annotated[strawberry.ID | None, _arg("Only the assignments of this role.")] = None,
        person_id: Annotated[strawberry.ID | None, _arg("Only this person's assignments.")] = None,
        unit_id: Annotated[strawberry.ID | None, _arg("Only the assignments scoped to this unit.")] = None,
        as_of: Annotated[datetime | None, _arg(AS_OF)] = None,
    ) -> Connection[RoleAssignment]:
        query = _query(first, after, role_id=role_id, person_id=person_id, unit_id=unit_id)
        async with info.context.read() as uow:
            page = await Roles(uow, info.context.principal).list_role_assignments(query, as_of)
        return _connection(page, lambda a: assignment(a, as_of))

    @strawberry.field(description="RACI entries; filter by subject, party or letter.")
    async def raci_entries(
        self,
        info: strawberry.Info,
        first: int = 50,
        after: str | None = None,
        subject_id: Annotated[strawberry.ID | None, _arg("Only the entries on this subject.")] = None,
        party_id: Annotated[strawberry.ID | None, _arg("Only the entries naming this party.")] = None,
        letter: Annotated[str | None, _arg("R, A, C or I.")] = None,
        subject_type: Annotated[str | None, _arg("objective, key_result, handoff or unit.")] = None,
        party_type: Annotated[str | None, _arg("person, unit or role.")] = None,
        inherit: Annotated[str | None, _arg("none or append.")] = None,
    ) -> Connection[RaciEntry]:
        query = _query(
            first,
            after,
            subject_id=subject_id,
            party_id=party_id,
            letter=letter,
            subject_type=subject_type,
            party_type=party_type,
            inherit=inherit,
        )
        async with info.context.read() as uow:
            page = await Roles(uow, info.context.principal).list_raci_entries(query)
        return _connection(page, raci_entry)

    @strawberry.field(description="The same as GET /v1/raci/resolve (null when the subject does not exist).")
    async def raci_resolved(self, info: strawberry.Info, subject_id: strawberry.ID) -> RaciResolved | None:
        try:
            async with info.context.read() as uow:
                return resolved(await Roles(uow, info.context.principal).resolve(str(subject_id)))
        except NotFound:
            return None

    @strawberry.field(description="The same as GET /v1/raci/matrix (null when the unit does not exist).")
    async def raci_matrix(self, info: strawberry.Info, unit_id: strawberry.ID) -> RaciMatrix | None:
        try:
            async with info.context.read() as uow:
                found = await Roles(uow, info.context.principal).matrix(str(unit_id))
        except NotFound:
            return None
        info.context.spend(len(found.rows) * max(1, len(found.parties)))
        return raci_matrix(found)
