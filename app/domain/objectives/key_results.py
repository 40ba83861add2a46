"""Key results: the measures of an objective. `current_value` moves only by check-ins (check_ins.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from app.domain.changes import (
    check_version,
    ensure_external_refs_free,
    forget_raci,
    refuse_nulls,
    refuse_read_only,
)
from app.domain.errors import Conflict, NotFound
from app.domain.fields import stored
from app.domain.model import ListQuery, Page
from app.domain.objectives.base import (
    REMINDER,
    WRITE,
    ObjectivesBase,
)
from app.domain.objectives.model import (
    KEY_RESULT_CHANGEABLE,
    KEY_RESULT_DEFAULTS,
    KEY_RESULT_FIELDS,
    KEY_RESULT_WRITABLE,
    OPEN_STATUSES,
    KeyResult,
    Objective,
    check_key_result,
)
from app.domain.objectives.progress import key_result_progress
from app.domain.objectives.reminders import first_due
from app.domain.patch import patched
from app.domain.reads import read_one, read_page


class KeyResultUseCases(ObjectivesBase):
    async def get_key_result(self, key_result_id: str, as_of: datetime | None = None) -> KeyResult:
        self.readable()
        return await read_one(self.uow.key_results, key_result_id, as_of, "key result")

    async def list_key_results(self, query: ListQuery, as_of: datetime | None = None) -> Page[KeyResult]:
        self.readable()
        return await read_page(self.uow.key_results, query, as_of)

    async def create_key_result(self, fields: dict[str, Any]) -> KeyResult:
        self._org(WRITE)
        fields = {**KEY_RESULT_DEFAULTS, **{k: v for k, v in fields.items() if v is not None}}
        check_key_result(fields, creating=True)
        await self._check_refs(fields)
        objective = await self._open_objective(fields["objective_id"])
        await ensure_external_refs_free(self.uow.key_results, fields["external_refs"], None)
        start = float(fields["start_value"])
        key_result = self._new(
            KeyResult, "kr", objective_id=objective.id, current_value=start, **stored(fields, KEY_RESULT_CHANGEABLE)
        )
        key_result.progress = key_result_progress(start, key_result.target_value, start)
        await self._add(self.uow.key_results, key_result, "key_result.created")
        await self._schedule_reminder(key_result)
        await self.roll_up([objective.id])
        return key_result

    async def update_key_result(
        self, key_result_id: str, patch: dict[str, Any], expected_version: int | None = None
    ) -> KeyResult:
        self._org(WRITE)
        refuse_read_only(patch, KEY_RESULT_WRITABLE)
        refuse_nulls(patch, KEY_RESULT_FIELDS)
        key_result = await self._key_result(key_result_id, for_update=True)
        check_version(key_result, expected_version)
        merged = patched(key_result, patch, KEY_RESULT_WRITABLE)
        check_key_result(merged, creating=False)
        await self._check_refs(merged, key_result)
        await ensure_external_refs_free(
            self.uow.key_results, merged["external_refs"], key_result.id, key_result.external_refs
        )
        changed = replace(key_result, **stored(merged, KEY_RESULT_CHANGEABLE, patch))
        changed.progress = key_result_progress(changed.start_value, changed.target_value, changed.current_value)
        previous = await self._save_changes(self.uow.key_results, key_result, changed)
        if not previous:
            return key_result
        self._record("key_result.updated", changed.resource(), previous)
        if "check_in_cadence" in previous:
            await self._schedule_reminder(changed)
        if {"progress", "weight"} & set(previous):
            await self.roll_up([changed.objective_id])
        return changed

    async def delete_key_result(self, key_result_id: str, expected_version: int | None = None) -> None:
        """A key result that holds check-ins stays (409): they are a record."""
        self._org(WRITE)
        key_result = await self._key_result(key_result_id, for_update=True)
        check_version(key_result, expected_version)
        if await self.uow.check_ins.count_of([key_result.id]):
            raise Conflict(f"{key_result_id} holds check-ins, which are a record; it cannot be deleted.")
        await self.uow.jobs.cancel(REMINDER, key_result.id)
        await self.uow.key_results.delete(key_result)
        self._record("key_result.deleted", key_result.resource())
        await forget_raci(self.uow, [key_result.id], self._record)
        await self.roll_up([key_result.objective_id])

    async def upsert_key_result(self, system: str, external_id: str, fields: dict[str, Any]) -> tuple[KeyResult, bool]:
        self._org(WRITE)
        return await self._upsert(
            self.uow.key_results, system, external_id, fields, self.create_key_result,
            lambda e, p: self.update_key_result(e.id, p), KEY_RESULT_FIELDS, fixed=("objective_id",),
            defaults=KEY_RESULT_DEFAULTS,
        )  # fmt: skip

    async def _key_result(self, key_result_id: str, *, for_update: bool = False) -> KeyResult:
        found = await self.uow.key_results.get(key_result_id, for_update=for_update)
        if found is None:
            raise NotFound(f"No key result {key_result_id}.")
        return found

    async def _open_objective(self, objective_id: str) -> Objective:
        objective = await self._objective(objective_id)
        if objective.status not in OPEN_STATUSES:
            raise Conflict(
                f"{objective_id} is {objective.status}: its key results and check-ins are closed.",
                field="/objective_id",
            )
        return objective

    async def _schedule_reminder(self, key_result: KeyResult) -> None:
        """The reminder job at the end of the running period (none without a cadence)."""
        if key_result.check_in_cadence == "none":
            await self.uow.jobs.cancel(REMINDER, key_result.id)
            return
        anchor = key_result.last_check_in_at or key_result.created_at
        due = first_due(anchor, key_result.check_in_cadence, await self.time_zone(), anchor)
        await self.uow.jobs.schedule(REMINDER, key_result.id, due)
