"""Reads every versioned collection answers the same way: one object or a page, now or as it stood at an
instant (`as_of`). The use cases name them in their own words; this is the one place they are read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from app.domain.errors import NotFound
from app.domain.model import ListQuery, Page, matches_query, page_in_memory
from app.domain.ports import VersionedRepository

E = TypeVar("E")


async def read_one(repo: VersionedRepository[E], object_id: str, as_of: datetime | None, noun: str) -> E:
    """The object now, or as it stood at `as_of`; NotFound names it as the caller does (`No role role_…`)."""
    found = (
        await repo.get(object_id)
        if as_of is None
        else next((x for x in await repo.at(as_of) if getattr(x, "id", None) == object_id), None)
    )
    if found is None:
        raise NotFound(f"No {noun} {object_id}" + (" at that instant." if as_of else "."))
    return found


async def read_page(
    repo: VersionedRepository[E],
    query: ListQuery,
    as_of: datetime | None,
    keep: Callable[[Any, ListQuery], bool] = matches_query,
) -> Page[E]:
    """A page now (one statement), or of the objects as they stood at `as_of` that `keep` selects (the
    common filters and the column filters unless the collection has more)."""
    if as_of is None:
        return await repo.list(query)
    return page_in_memory([x for x in await repo.at(as_of) if keep(x, query)], query)
