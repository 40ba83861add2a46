"""What every area's use cases stand on: the caller, its unit of work and clock, the scope checks, and the
events the use cases record."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

from app.domain.changes import check_version, record, refuse_read_only, with_ref, without_unset
from app.domain.clock import SYSTEM_CLOCK
from app.domain.errors import ErrorList, NotFound
from app.domain.fields import check_fields, replacement_defaults
from app.domain.ids import new_id
from app.domain.patch import previous_attributes
from app.domain.ports import Clock, Repository, UnitOfWork
from app.domain.principal import Principal

E = TypeVar("E")


class UseCases:
    def __init__(
        self, uow: UnitOfWork, principal: Principal, clock: Clock = SYSTEM_CLOCK, actor: dict[str, Any] | None = None
    ) -> None:
        self.uow, self.principal, self.clock = uow, principal, clock
        self.actor = actor  # who events name, when not the principal (the scheduler)
        self._zone: str | None = None

    def _org(self, scope: str) -> str:
        """The caller's organization, once the caller is known to hold `scope`."""
        self.principal.require(scope)
        return self.principal.require_organization()

    async def time_zone(self) -> str:
        """The organization's IANA time zone: the day its periods, cadences and anonymous items count in."""
        if self._zone is None:
            org = await self.uow.organizations.get(self.principal.require_organization())
            self._zone = org.time_zone if org is not None else "UTC"
        return self._zone

    def _record(
        self, event_type: str, obj: dict[str, Any], previous: dict[str, Any] | None = None, **details: Any
    ) -> None:
        org = self.principal.require_organization()
        record(self.uow, self.principal, self.clock, event_type, obj, org, previous, self.actor, details)

    def _new(self, cls: Callable[..., E], prefix: str, **values: Any) -> E:
        """A new object of the caller's organization: its id (`prefix_…`) and its first instant, with `values`."""
        now = self.clock.now()
        org = self.principal.require_organization()
        return cls(id=new_id(prefix), organization_id=org, created_at=now, updated_at=now, **values)

    async def _add(self, repo: Repository[E], entity: E, event_type: str) -> E:
        """Store a new object and record its creation (`unit.created`)."""
        await repo.add(entity)
        self._record(event_type, entity.resource())  # type: ignore[attr-defined]
        return entity

    async def _to_change(self, repo: Repository[E], object_id: str, noun: str, expected_version: int | None) -> E:
        """The object a change is about, locked for it, when the caller's `If-Match` version is still its own."""
        found = await repo.get(object_id, for_update=True)
        if found is None:
            raise NotFound(f"No {noun} {object_id}.")
        check_version(found, expected_version)  # type: ignore[arg-type]
        return found

    async def _save_changes(self, repo: Repository[E], found: Any, changed: Any) -> dict[str, Any]:
        """Write `changed` in place of `found` (at the version it was read at) when a field the API shows
        differs, and give the old values of those fields: an event's `previous_attributes`. Nothing differs:
        nothing is written, no version spent, `{}`."""
        previous = previous_attributes(found.resource(), changed.resource())
        if previous:
            changed.touch(self.clock.now())
            await repo.save(changed, expected_version=found.version)
        return previous

    async def _upsert(
        self,
        repo: Repository[E],
        system: str,
        external_id: str,
        fields: dict[str, Any],
        create: Callable[[dict[str, Any]], Awaitable[E]],
        update: Callable[[E, dict[str, Any]], Awaitable[E]],
        declared: Iterable[Any] | None = None,
        fixed: Iterable[str] = (),
        defaults: Mapping[str, Any] | None = None,
    ) -> tuple[E, bool]:
        """PUT …/by-external-ref/{system}/{id}: the object that carries the URL's ref is updated with the body,
        or one is created with it (the body's refs may repeat the URL's, not contradict them). With `declared`
        the body replaces the fields, a null on a required one meaning "as it is"; without, it is a merge
        patch. `fixed`: fields set at creation, which the body may repeat but not change (422 read_only).
        `defaults`: a creation's; a field the body leaves out (or null) takes its default, as a PUT replaces
        the object (links [], a key result's weight 1, …), whichever transport the body came by, unless the
        declaration says a PUT keeps it (`kept`: an objective's status, a handoff's priority)."""
        left_out = {
            k: copy.deepcopy(v)
            for k, v in replacement_defaults(declared or (), defaults or {}).items()
            if fields.get(k) is None
        }
        fields = with_ref({**fields, **left_out}, system, external_id)
        existing = await repo.find_by_external_ref(system, external_id)
        if existing is None:
            return await create(fields), True
        fixed = tuple(fixed)
        if declared is not None:  # a wrong value is refused as such (`invalid`), not as a change (`read_only`)
            errors = ErrorList()
            given_fixed = {k: fields[k] for k in fixed if fields.get(k) is not None}
            check_fields(given_fixed, [f for f in declared if f.name in given_fixed], errors, creating=False)
            errors.raise_if_any()
        moved = {k: fields[k] for k in fixed if fields.get(k) is not None and fields[k] != getattr(existing, k)}
        refuse_read_only(moved, ())
        patch = fields if declared is None else without_unset(fields, declared)
        return await update(existing, {k: v for k, v in patch.items() if k not in fixed}), False
