"""Check-ins: a key result's value at a moment, with a confidence and a note; never changed or deleted.
Each one moves its key result, and the progress of its objective and of every objective above it, in the
same transaction (the roll-up, base.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.domain.changes import ensure_external_refs_free
from app.domain.errors import FieldError, Invalid, NotFound
from app.domain.model import ListQuery, Page
from app.domain.objectives.base import REMINDER, WRITE
from app.domain.objectives.key_results import KeyResultUseCases
from app.domain.objectives.model import CheckIn, check_check_in
from app.domain.objectives.progress import key_result_progress
from app.domain.objectives.reminders import first_due
from app.domain.patch import previous_attributes


class CheckInUseCases(KeyResultUseCases):
    async def get_check_in(self, check_in_id: str) -> CheckIn:
        self.readable()
        found = await self.uow.check_ins.get(check_in_id)
        if found is None:
            raise NotFound(f"No check-in {check_in_id}.")
        return found

    async def list_check_ins(self, query: ListQuery) -> Page[CheckIn]:
        """Newest last, like every list; filter by key result, objective, author and time."""
        self.readable()
        return await self.uow.check_ins.list(query)

    async def create_check_in(self, fields: dict[str, Any]) -> CheckIn:
        self._org(WRITE)
        fields = {"external_refs": {}, **{k: v for k, v in fields.items() if v is not None}}
        check_check_in(fields)
        key_result = await self.uow.key_results.get(fields["key_result_id"], for_update=True)
        if key_result is None:
            raise Invalid(
                "The request has invalid fields.",
                [FieldError("/key_result_id", "no such key result in this organization", "not_found")],
            )
        await self._open_objective(key_result.objective_id)
        now = self.clock.now()
        value = float(fields["value"])
        confidence = float(fields["confidence"]) if fields.get("confidence") is not None else None
        check_in = self._new(
            CheckIn,
            "chk",
            key_result_id=key_result.id,
            objective_id=key_result.objective_id,
            value=value,
            confidence=confidence,
            note=fields.get("note"),
            author_person_id=self.principal.person_id,
            author=self.principal.actor,
            external_refs=fields["external_refs"],
        )
        await ensure_external_refs_free(self.uow.check_ins, check_in.external_refs, None)
        await self._add(self.uow.check_ins, check_in, "check_in.created")
        before = key_result.resource()
        moved = replace(
            key_result,
            current_value=value,
            progress=key_result_progress(key_result.start_value, key_result.target_value, value),
            confidence=confidence,
            last_check_in_at=now,
        )
        moved.touch(now)
        await self.uow.key_results.save(moved, expected_version=key_result.version)
        self._record("key_result.progress_changed", moved.resource(), previous_attributes(before, moved.resource()))
        if moved.check_in_cadence != "none":
            due = first_due(now, moved.check_in_cadence, await self.time_zone(), now)
            await self.uow.jobs.schedule(REMINDER, moved.id, due)
        await self.roll_up([moved.objective_id])
        return check_in
