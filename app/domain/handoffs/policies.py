"""Handoff policies (the deadlines a send sets where the sender gave none) and comments on a handoff."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.domain.changes import ensure_external_refs_free, refuse_nulls, refuse_read_only
from app.domain.errors import ErrorList, Forbidden, NotFound
from app.domain.fields import check_fields, stored
from app.domain.handoffs.model import (
    COMMENT_FIELDS,
    POLICY_FIELDS,
    POLICY_WRITABLE,
    HandoffComment,
    HandoffPolicy,
)
from app.domain.handoffs.service import READ, WRITE, Handoffs
from app.domain.model import ListQuery, Page
from app.domain.patch import patched


class HandoffPolicies(Handoffs):
    async def get_handoff_policy(self, policy_id: str) -> HandoffPolicy:
        self._org(READ)
        found = await self.uow.handoff_policies.get(policy_id)
        if found is None:
            raise NotFound(f"No handoff policy {policy_id}.")
        return found

    async def list_handoff_policies(self, query: ListQuery) -> Page[HandoffPolicy]:
        self._org(READ)
        return await self.uow.handoff_policies.list(query)

    async def create_handoff_policy(self, fields: dict[str, Any]) -> HandoffPolicy:
        self._org(WRITE)
        fields = {"external_refs": {}, **{k: v for k, v in fields.items() if v is not None}}
        _check_policy(fields)
        await self._check_refs(fields)
        await ensure_external_refs_free(self.uow.handoff_policies, fields["external_refs"], None)
        policy = self._new(HandoffPolicy, "hop", **stored(fields, POLICY_FIELDS))
        await self._add(self.uow.handoff_policies, policy, "handoff_policy.created")
        return policy

    async def update_handoff_policy(
        self, policy_id: str, patch: dict[str, Any], expected_version: int | None = None
    ) -> HandoffPolicy:
        self._org(WRITE)
        policy = await self._to_change(self.uow.handoff_policies, policy_id, "handoff policy", expected_version)
        refuse_read_only(patch, POLICY_WRITABLE)
        refuse_nulls(patch, POLICY_FIELDS)
        merged = patched(policy, patch, POLICY_WRITABLE)
        _check_policy(merged)
        await self._check_refs(merged, policy)
        await ensure_external_refs_free(
            self.uow.handoff_policies, merged["external_refs"], policy.id, policy.external_refs
        )
        changed = replace(policy, **stored(merged, POLICY_FIELDS, patch))
        previous = await self._save_changes(self.uow.handoff_policies, policy, changed)
        if not previous:
            return policy
        self._record("handoff_policy.updated", changed.resource(), previous)
        return changed

    async def delete_handoff_policy(self, policy_id: str, expected_version: int | None = None) -> None:
        self._org(WRITE)
        policy = await self._to_change(self.uow.handoff_policies, policy_id, "handoff policy", expected_version)
        await self.uow.handoff_policies.delete(policy)
        self._record("handoff_policy.deleted", policy.resource())

    # --- comments ------------------------------------------------------------------------------------------

    async def comments(self, handoff_id: str, query: ListQuery) -> Page[HandoffComment]:
        await self.get_handoff(handoff_id)
        return await self.uow.handoff_comments.list(replace(query, filters={"handoff_id": handoff_id}))

    async def add_comment(self, handoff_id: str, fields: dict[str, Any]) -> HandoffComment:
        """Either side, or an integration token, comments; the author is recorded."""
        self._org(WRITE)
        errors = ErrorList()
        unknown = sorted(set(fields) - {"body"})
        for name in unknown:
            errors.add(f"/{name}", "unknown field", "unknown_field")
        check_fields(fields, COMMENT_FIELDS, errors, creating=True)
        errors.raise_if_any()
        handoff = await self._handoff(handoff_id, for_update=True)
        if self.principal.person_id is not None and not (
            self.principal.person_id in (handoff.from_person_id, handoff.to_person_id)
            or await self._member(self.principal.person_id, handoff.from_unit_id)
            or await self._member(self.principal.person_id, handoff.to_unit_id)
        ):
            raise Forbidden("Only the two sides of a handoff comment on it.")
        comment = self._new(
            HandoffComment,
            "hoc",
            handoff_id=handoff.id,
            body=fields["body"],
            author_person_id=self.principal.person_id,
            author=self.principal.actor,
        )
        await self._add(self.uow.handoff_comments, comment, "handoff.comment_added")
        return comment


def _check_policy(fields: dict[str, Any]) -> None:
    errors = ErrorList()
    check_fields(fields, POLICY_FIELDS, errors, creating=True)
    if not errors.items and not (fields.get("accept_within") or fields.get("complete_within")):
        errors.add("/accept_within", "a policy sets accept_within, complete_within or both", "required")
    errors.raise_if_any()
