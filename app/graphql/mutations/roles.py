"""Mutations of roles, role assignments and RACI entries: each calls the same service method as its REST
route, in its own transaction, and answers `{<object>, userErrors}`. Inputs are derived from the domain's
declaration."""

from __future__ import annotations

from typing import Any

from app.domain.roles.model import (
    RACI_CHANGEABLE,
    RACI_FIELDS,
    ROLE_ASSIGNMENT_CHANGEABLE,
    ROLE_ASSIGNMENT_FIELDS,
    ROLE_FIELDS,
)
from app.domain.roles.raci import Roles
from app.graphql.kit import GraphQLCollection, deleted, mutations
from app.graphql.types.inputs import derive_input
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
    ROLE_ASSIGNMENT_CHANGEABLE,
    update=True,
    description="The scope or the dates; set endsOn to end it.",
)
CreateRaciEntryInput: Any = derive_input(
    "CreateRaciEntryInput", RACI_FIELDS, update=False, description="A party's letter on a subject."
)
UpdateRaciEntryInput: Any = derive_input(
    "UpdateRaciEntryInput",
    RACI_CHANGEABLE,
    update=True,
    description="The letter or the inheritance.",
)

DeletePayload: Any = deleted("DeletePayload", "deleted_id")

ROLES = GraphQLCollection(
    noun="role",
    service=Roles,
    object_type=Role,
    convert=role,
    rest="/v1/roles",
    create_input=CreateRoleInput,
    update_input=UpdateRoleInput,
    delete_payload=DeletePayload,
    upsert=True,
)
ROLE_ASSIGNMENTS = GraphQLCollection(
    noun="role_assignment",
    service=Roles,
    object_type=RoleAssignment,
    convert=assignment,
    rest="/v1/role-assignments",
    create_input=CreateRoleAssignmentInput,
    update_input=UpdateRoleAssignmentInput,
    delete_payload=DeletePayload,
    upsert=True,
)
RACI = GraphQLCollection(
    noun="raci_entry",
    service=Roles,
    object_type=RaciEntry,
    convert=raci_entry,
    rest="/v1/raci",
    create_input=CreateRaciEntryInput,
    update_input=UpdateRaciEntryInput,
    delete_payload=DeletePayload,
    descriptions={"create": "The same as POST /v1/raci: at most one A per subject (a conflict)."},
    upsert=True,
)
RolesMutation = mutations("RolesMutation", ROLES, ROLE_ASSIGNMENTS, RACI)
