"""What every resource shares: identity, bookkeeping, external references, and its wire form."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from app.domain.clock import rfc3339
from app.domain.errors import ErrorList
from app.domain.text import name_problem, one_line

SYSTEM_RE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")  # used with fullmatch: `$` would let "sap\n" through
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


@dataclass(kw_only=True)
class Linked(ExternallyReferenced):
    """A resource that carries `links` (units now; roles, objectives, key results and handoffs next)."""

    links: list[dict[str, str]] = field(default_factory=list)


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


LINK_KINDS = ("document", "ticket", "chat", "other")
_LINK_URL_RE = re.compile(r"https?://[^\s/]+")
MAX_LINKS = 50


def check_links(links: Any, errors: ErrorList, pointer: str = "/links") -> list[dict[str, str]]:
    """`[{title, url, kind}]`: the documents, tickets and channels behind the work. A title of at most 200
    characters, an absolute http(s) URL of at most 2,048, a kind among LINK_KINDS (default `other`)."""
    if not isinstance(links, list) or len(links) > MAX_LINKS:
        errors.add(pointer, f"must be a list of at most {MAX_LINKS} links")
        return []
    out = []
    for i, link in enumerate(links):
        at = f"{pointer}/{i}"
        if not isinstance(link, dict) or set(link) - {"title", "url", "kind"}:
            errors.add(at, "must be an object with title, url and kind")
            continue
        title, url, kind = link.get("title"), link.get("url"), link.get("kind", "other")
        problem = name_problem(title, 200)
        if problem:
            errors.add(f"{at}/title", problem)
        if not isinstance(url, str) or not _LINK_URL_RE.match(url) or len(url) > 2048 or not one_line(url):
            errors.add(f"{at}/url", "must be an absolute http or https URL of at most 2048 characters")
        if kind not in LINK_KINDS:
            errors.add(f"{at}/kind", f"must be one of: {', '.join(LINK_KINDS)}")
        out.append({"title": title, "url": url, "kind": kind})
    return out


def check_external_refs(refs: Any, errors: ErrorList, pointer: str = "/external_refs") -> dict[str, str]:
    """`{"sap": "E1042"}`: system names are short lowercase identifiers, ids non-empty strings."""
    if not isinstance(refs, dict):
        errors.add(pointer, "must be an object of system → external id")
        return {}
    for system, external_id in refs.items():
        check_external_ref(system, external_id, errors, f"{pointer}/{system}")
    return dict(refs)


def check_external_ref(system: Any, external_id: Any, errors: ErrorList, pointer: str) -> None:
    if not system_ok(system):
        errors.add(pointer, f"the system must match {SYSTEM_RULE}")
    problem = name_problem(external_id, MAX_EXTERNAL_ID)
    if problem:
        errors.add(pointer, f"the external id {problem}")


SYSTEM_RULE = "^[a-z0-9][a-z0-9_.-]{0,63}$"


def system_ok(system: Any) -> bool:
    """A system name (`sap`, `hr.workday`): the whole string, so that a trailing newline is no system."""
    return isinstance(system, str) and SYSTEM_RE.fullmatch(system) is not None


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


class Pages(Protocol[E]):
    async def list(self, query: ListQuery) -> Page[E]: ...


async def every_page(repo: Pages[E], query: ListQuery) -> list[E]:
    """Every object a listing query selects, page after page (keyset paging, so none is read twice)."""
    out: list[E] = []
    while True:
        page = await repo.list(query)
        out.extend(page.items)
        if page.next_after is None:
            return out
        query = dataclasses.replace(query, after=page.next_after)


def page_in_memory(items: list[Any], query: ListQuery) -> Page[Any]:
    """Keyset paging over objects already in memory (reads of the past)."""
    rest = sorted((x for x in items if not query.after or x.id > query.after), key=lambda x: x.id)
    chosen = rest[: query.limit]
    return Page(chosen, chosen[-1].id if len(rest) > query.limit else None)


def matches_query(item: Any, query: ListQuery) -> bool:
    """The common filters and the column filters, on an object in memory (reads of the past)."""
    if query.updated_since is not None and item.updated_at < query.updated_since:
        return False
    if query.external_ref is not None and item.external_refs.get(query.external_ref[0]) != query.external_ref[1]:
        return False
    return all(
        any(link.get("url") == v for link in getattr(item, "links", ())) if k == "link_url" else getattr(item, k) == v
        for k, v in query.filters.items()
    )
