"""Mutations of handoffs: each action as a mutation, the same service method as its REST route, in its own
transaction, answering `{handoff, userErrors}`. Inputs are derived from the domain's declaration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from app.domain.handoffs.model import HANDOFF_FIELDS, POLICY_FIELDS
from app.domain.handoffs.policies import HandoffPolicies
from app.graphql.kit import GraphQLCollection, deleted, mutations, payload
from app.graphql.mutations.common import UserError, run_service
from app.graphql.types.handoffs import Handoff, HandoffComment, HandoffPolicy, comment, handoff, policy
from app.graphql.types.inputs import derive_input

CreateHandoffInput: Any = derive_input("CreateHandoffInput", HANDOFF_FIELDS, update=False, description="A draft.")
UpdateHandoffInput: Any = derive_input(
    "UpdateHandoffInput",
    HANDOFF_FIELDS,
    update=True,
    description="Absent fields stay as they are. A draft: any field; once sent: checklist, links, externalRefs.",
)
CreateHandoffPolicyInput: Any = derive_input(
    "CreateHandoffPolicyInput", POLICY_FIELDS, update=False, description="A handoff policy."
)
UpdateHandoffPolicyInput: Any = derive_input(
    "UpdateHandoffPolicyInput", POLICY_FIELDS, update=True, description="Absent fields stay as they are."
)


HandoffPayload: Any = payload("HandoffPayload", "handoff", Handoff)


async def _run(info: strawberry.Info, work: Callable[[HandoffPolicies], Awaitable[Any]]) -> tuple[Any, list[UserError]]:
    return await run_service(info, HandoffPolicies, work)


@strawberry.type
class HandoffCommentPayload:
    comment: HandoffComment | None
    user_errors: list[UserError]


def _fields(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


async def _act(
    info: strawberry.Info, id: strawberry.ID, action: str, version: int | None, **body: Any
) -> HandoffPayload:
    h, errors = await _run(info, lambda s: s.act(str(id), action, _fields(**body), version))
    return HandoffPayload(handoff=handoff(h), user_errors=errors)


VERSION = "`ifMatchVersion` refuses a stale change."


HANDOFFS = GraphQLCollection(
    noun="handoff",
    service=HandoffPolicies,
    object_type=Handoff,
    payload=HandoffPayload,
    convert=handoff,
    rest="/v1/handoffs",
    create_input=CreateHandoffInput,
    update_input=UpdateHandoffInput,
    upsert=True,
    descriptions={
        "create": "The same as POST /v1/handoffs: a draft.",
        "upsert": "The same as PUT /v1/handoffs/by-external-ref/{system}/{id}: a CRM's own id.",
    },
)
POLICIES = GraphQLCollection(
    noun="handoff_policy",
    service=HandoffPolicies,
    object_type=HandoffPolicy,
    convert=policy,
    rest="/v1/handoff-policies",
    create_input=CreateHandoffPolicyInput,
    update_input=UpdateHandoffPolicyInput,
    delete_payload=deleted("DeleteHandoffPolicyPayload", "deleted_handoff_policy_id"),
)


@strawberry.type
class HandoffsMutation(mutations("HandoffsCrud", HANDOFFS, POLICIES)):  # type: ignore[misc]
    """The kit's mutations of handoffs and policies, and a handoff's actions."""

    @strawberry.mutation(description="Send a draft (the sending side): the clocks start. " + VERSION)
    async def send_handoff(
        self, info: strawberry.Info, id: strawberry.ID, if_match_version: int | None = None
    ) -> HandoffPayload:
        return await _act(info, id, "send", if_match_version)

    @strawberry.mutation(description="Accept (the receiving side). " + VERSION)
    async def accept_handoff(
        self, info: strawberry.Info, id: strawberry.ID, if_match_version: int | None = None
    ) -> HandoffPayload:
        return await _act(info, id, "accept", if_match_version)

    @strawberry.mutation(description="Decline with a reason code (the receiving side). " + VERSION)
    async def decline_handoff(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        reason_code: str,
        reason: str | None = None,
        if_match_version: int | None = None,
    ) -> HandoffPayload:
        return await _act(info, id, "decline", if_match_version, reason_code=reason_code, reason=reason)

    @strawberry.mutation(description="Wait on the sender (the receiving side): the complete clock pauses. " + VERSION)
    async def wait_handoff(
        self, info: strawberry.Info, id: strawberry.ID, reason: str, if_match_version: int | None = None
    ) -> HandoffPayload:
        return await _act(info, id, "wait", if_match_version, reason=reason)

    @strawberry.mutation(description="Resume after waiting (the sending side): due_at moves by the pause. " + VERSION)
    async def resume_handoff(
        self, info: strawberry.Info, id: strawberry.ID, if_match_version: int | None = None
    ) -> HandoffPayload:
        return await _act(info, id, "resume", if_match_version)

    @strawberry.mutation(description="Forward to another unit (the receiving side). " + VERSION)
    async def forward_handoff(
        self,
        info: strawberry.Info,
        id: strawberry.ID,
        to_unit_id: strawberry.ID,
        to_person_id: strawberry.ID | None = None,
        note: str | None = None,
        if_match_version: int | None = None,
    ) -> HandoffPayload:
        return await _act(
            info, id, "forward", if_match_version, to_unit_id=to_unit_id, to_person_id=to_person_id, note=note
        )

    @strawberry.mutation(description="Complete (the receiving side): required checklist items done. " + VERSION)
    async def complete_handoff(
        self, info: strawberry.Info, id: strawberry.ID, if_match_version: int | None = None
    ) -> HandoffPayload:
        return await _act(info, id, "complete", if_match_version)

    @strawberry.mutation(description="Cancel (the sending side). " + VERSION)
    async def cancel_handoff(
        self, info: strawberry.Info, id: strawberry.ID, reason: str | None = None, if_match_version: int | None = None
    ) -> HandoffPayload:
        return await _act(info, id, "cancel", if_match_version, reason=reason)

    @strawberry.mutation(description="Comment on a handoff (either side).")
    async def add_handoff_comment(self, info: strawberry.Info, id: strawberry.ID, body: str) -> HandoffCommentPayload:
        c, errors = await _run(info, lambda s: s.add_comment(str(id), {"body": body}))
        return HandoffCommentPayload(comment=comment(c), user_errors=errors)
