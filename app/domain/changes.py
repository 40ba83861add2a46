"""The steps every write of every collection shares: version checks, external-ref uniqueness, events."""

from __future__ import annotations

from typing import Any

from app.domain.errors import Conflict, FieldError, Invalid, PreconditionFailed
from app.domain.events import Event
from app.domain.ids import new_id
from app.domain.model import Entity
from app.domain.ports import Clock, Repository, UnitOfWork
from app.domain.principal import Principal


def check_version(entity: Entity, expected_version: int | None) -> None:
    """`If-Match`: the caller saw `expected_version`; a newer one means its view is stale."""
    if expected_version is not None and entity.version != expected_version:
        raise PreconditionFailed(
            f"{entity.id} is at version {entity.version}, not {expected_version}; read it again before changing it."
        )


async def ensure_external_refs_free(
    repo: Repository[Any], refs: dict[str, str], owner_id: str | None, before: dict[str, str] | None = None
) -> None:
    """Refs the object already carried (`before`) are its own: only new ones are looked up."""
    for system, external_id in refs.items():
        if before is not None and before.get(system) == external_id:
            continue
        holder = await repo.find_by_external_ref(system, external_id)
        if holder is not None and holder.id != owner_id:
            raise Conflict(
                f"The external ref {system}:{external_id} already belongs to {holder.id}.",
                field=f"/external_refs/{system}",
            )


def record(
    uow: UnitOfWork,
    principal: Principal,
    clock: Clock,
    event_type: str,
    obj: dict[str, Any],
    organization_id: str,
    previous: dict[str, Any] | None = None,
    actor: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """`actor`: who the event names, when it is not the principal (the scheduler); `details`: more of the
    event's `data` (`clock`)."""
    uow.record(
        Event(
            id=new_id("evt"),
            type=event_type,
            organization_id=organization_id,
            occurred_at=clock.now(),
            actor=actor or principal.actor,
            object=obj,
            previous_attributes=previous or {},
            details=details or {},
        )
    )


def with_ref(fields: dict[str, Any], system: str, external_id: str) -> dict[str, Any]:
    """A PUT by external ref: the body's refs with the URL's, which it may repeat but not contradict."""
    refs = dict(fields.get("external_refs") or {})
    if refs.get(system, external_id) != external_id:
        raise Invalid(
            "The body names another id for the system of the URL.",
            [FieldError(f"/external_refs/{system}", "differs from the URL")],
        )
    refs[system] = external_id
    return {**fields, "external_refs": refs}
