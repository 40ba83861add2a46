"""What every resource shares: identity, bookkeeping, external references, and its wire form."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, Generic, TypeVar

from app.domain.clock import rfc3339
from app.domain.errors import ErrorList

SYSTEM_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
MAX_EXTERNAL_ID = 255


@dataclass(kw_only=True)
class Entity:
    id: str
    organization_id: str
    created_at: datetime
    updated_at: datetime
    version: int = 1

    # Fields that never leave the process (hashes, internal state).
    private_fields: ClassVar[frozenset[str]] = frozenset({"organization_id"})

    def resource(self) -> dict[str, Any]:
        """The object as REST, GraphQL and events show it."""
        out = {}
        for name in _public_fields(type(self)):
            value = getattr(self, name)
            out[name] = value if type(value) in _AS_IS else to_wire(value)
        return out

    def touch(self, now: datetime) -> None:
        self.updated_at = now
        self.version += 1


@dataclass(kw_only=True)
class ExternallyReferenced(Entity):
    external_refs: dict[str, str] = field(default_factory=dict)


_PUBLIC_FIELDS: dict[type, tuple[str, ...]] = {}


def _public_fields(cls: type[Entity]) -> tuple[str, ...]:
    names = _PUBLIC_FIELDS.get(cls)
    if names is None:
        names = _PUBLIC_FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls) if f.name not in cls.private_fields)
    return names


PLAIN = (str, int, float, bool, type(None))
_AS_IS = frozenset(PLAIN)  # exact types that go on the wire as they are (subclasses, such as enums, are converted)


def to_wire(value: Any) -> Any:
    if isinstance(value, PLAIN):
        return value
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: to_wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_wire(v) for v in value]
    return value


def check_external_refs(refs: Any, errors: ErrorList, pointer: str = "/external_refs") -> dict[str, str]:
    """`{"sap": "E1042"}`: system names are short lowercase identifiers, ids non-empty strings."""
    if not isinstance(refs, dict):
        errors.add(pointer, "must be an object of system → external id")
        return {}
    for system, external_id in refs.items():
        check_external_ref(system, external_id, errors, f"{pointer}/{system}")
    return dict(refs)


def check_external_ref(system: Any, external_id: Any, errors: ErrorList, pointer: str) -> None:
    if not isinstance(system, str) or not SYSTEM_RE.match(system):
        errors.add(pointer, "the system must match ^[a-z0-9][a-z0-9_.-]{0,63}$")
    if not isinstance(external_id, str) or not external_id.strip() or len(external_id) > MAX_EXTERNAL_ID:
        errors.add(pointer, f"the external id must be a non-empty string of at most {MAX_EXTERNAL_ID} characters")
    elif any(ord(c) < 32 for c in external_id):
        errors.add(pointer, "the external id must not contain control characters")


E = TypeVar("E")


@dataclass(frozen=True)
class ListQuery:
    """One page of a collection: keyset paging on the id (time-ordered), plus the common filters."""

    limit: int = 50
    after: str | None = None
    updated_since: datetime | None = None
    external_ref: tuple[str, str] | None = None
    filters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Page(Generic[E]):
    items: list[E]
    next_after: str | None
