"""Mutations of shared objectives: each calls the same service method as its REST route, in its own
transaction, and answers `{<object>, userErrors}`. Inputs are derived from the domain's declaration."""

from __future__ import annotations

from typing import Any

from app.domain.objectives.model import (
    CHECK_IN_FIELDS,
    KEY_RESULT_CHANGEABLE,
    KEY_RESULT_FIELDS,
    OBJECTIVE_FIELDS,
)
from app.domain.objectives.service import Objectives
from app.graphql.kit import GraphQLCollection, deleted, mutations
from app.graphql.types.inputs import derive_input
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
    KEY_RESULT_CHANGEABLE,
    update=True,
    description="Absent fields stay as they are; null clears a field. The value moves only by check-ins.",
)
CreateCheckInInput: Any = derive_input(
    "CreateCheckInInput", CHECK_IN_FIELDS, update=False, description="A key result's value now."
)


OBJECTIVES = GraphQLCollection(
    noun="objective",
    service=Objectives,
    object_type=Objective,
    convert=objective,
    rest="/v1/objectives",
    create_input=CreateObjectiveInput,
    update_input=UpdateObjectiveInput,
    delete_payload=deleted("DeleteObjectivePayload", "deleted_objective_id"),
    upsert=True,
)
KEY_RESULTS = GraphQLCollection(
    noun="key_result",
    service=Objectives,
    object_type=KeyResult,
    convert=key_result,
    rest="/v1/key-results",
    create_input=CreateKeyResultInput,
    update_input=UpdateKeyResultInput,
    delete_payload=deleted("DeleteKeyResultPayload", "deleted_key_result_id"),
    upsert=True,
)
CHECK_INS = GraphQLCollection(
    noun="check_in",
    service=Objectives,
    object_type=CheckIn,
    convert=check_in,
    rest="/v1/check-ins",
    create_input=CreateCheckInInput,
    descriptions={"create": "The same as POST /v1/check-ins: the roll-up runs in the same transaction."},
)
ObjectivesMutation = mutations("ObjectivesMutation", OBJECTIVES, KEY_RESULTS, CHECK_INS)
