"""The steps every write of every collection shares: version checks, external-ref uniqueness, events."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.domain.errors import Conflict, ErrorList, FieldError, Invalid, PreconditionFailed
from app.domain.events import Event
from app.domain.ids import new_id
from app.domain.model import Entity
from app.domain.ports import Clock, Repository, UnitOfWork, VersionedRepository
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
    given = fields.get("external_refs")
    if given is not None and not isinstance(given, dict):  # GraphQL's JSON scalar takes any JSON value
        raise Invalid(
            "The external refs are an object of system → external id.",
            [FieldError("/external_refs", "must be an object of system → external id")],
        )
    refs = dict(given or {})
    if refs.get(system, external_id) != external_id:
        raise Invalid(
            "The body names another id for the system of the URL.",
            [FieldError(f"/external_refs/{system}", "differs from the URL")],
        )
    refs[system] = external_id
    return {**fields, "external_refs": refs}


def refuse_read_only(patch: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(patch) - set(allowed))
    if unknown:
        raise Invalid(
            "Some fields cannot be changed.", [FieldError(f"/{k}", "cannot be changed", "read_only") for k in unknown]
        )


def refuse_nulls(patch: dict[str, Any], declared: Iterable[Any]) -> None:
    """A merge patch's null removes a field: refused on a field no object may lack (`Field.nullable`)."""
    errors = ErrorList()
    for f in declared:
        if f.name in patch and patch[f.name] is None and not f.nullable:
            errors.add(f"/{f.name}", "must not be null", "required")
    errors.raise_if_any()


def without_unset(fields: dict[str, Any], declared: Iterable[Any]) -> dict[str, Any]:
    """A PUT's body as a replacement: a null on a field no object may lack means "as it is" (the body left it
    out), a null elsewhere clears the field."""
    required = {f.name for f in declared if not f.nullable}
    return {k: v for k, v in fields.items() if v is not None or k not in required}


# The collections other objects refer to, by the prefix of their ids.
COLLECTIONS = {"unit": "units", "person": "people", "obj": "objectives", "role": "roles"}


async def check_refs(
    uow: UnitOfWork, fields: dict[str, Any], names: Mapping[str, str], before: Any = None, pointer: str = ""
) -> None:
    """The objects that `fields` name (`names`: field → id prefix; a list field names several) exist in this
    organization, one statement per kind of object; what the object already named was checked when it named
    it. 422 `not_found` on each field at fault."""
    wanted: dict[str, list[tuple[str, str]]] = {}
    for name, prefix in names.items():
        value, old = fields.get(name), getattr(before, name, None)
        if isinstance(value, list):
            kept = set(old or [])
            wanted.setdefault(prefix, []).extend(
                (f"{pointer}/{name}/{i}", v) for i, v in enumerate(value) if isinstance(v, str) and v not in kept
            )
        elif isinstance(value, str) and (before is None or value != old):
            wanted.setdefault(prefix, []).append((f"{pointer}/{name}", value))
    errors = ErrorList()
    for prefix, refs in wanted.items():
        repo: VersionedRepository[Any] = getattr(uow, COLLECTIONS[prefix])
        found = {x.id for x in await repo.get_many(sorted({v for _, v in refs}))}
        for at, value in refs:
            if value not in found:
                errors.add(at, "no such object in this organization", "not_found")
    errors.raise_if_any()


async def forget_raci(uow: UnitOfWork, object_ids: list[str], record_event: Any) -> None:
    """The RACI entries that name objects just deleted (as subject or party) go with them, each with its
    `raci.deleted`. Called after the deletion: an entry created meanwhile held the object's row lock, which
    the deletion waited for, and is read here."""
    for entry in await uow.raci.naming(object_ids):
        await uow.raci.delete(entry)
        record_event("raci.deleted", entry.resource())
