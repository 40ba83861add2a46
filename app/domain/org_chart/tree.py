"""Walking the unit forest and the management lines in memory, for reads of the past (`as_of`), where
the whole snapshot of the organization at that instant has been loaded in one statement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from app.domain.org_chart.model import Person, Unit


def children_index(units: Iterable[Unit]) -> dict[str | None, list[Unit]]:
    index: dict[str | None, list[Unit]] = defaultdict(list)
    for u in sorted(units, key=lambda u: u.id):
        index[u.parent_id].append(u)
    return index


def descendants(units: Iterable[Unit], root_id: str, max_depth: int | None = None) -> list[tuple[Unit, int]]:
    """Breadth first, with each unit's depth below the root (children are at depth 1)."""
    index = children_index(units)
    out: list[tuple[Unit, int]] = []
    frontier, depth, seen = [root_id], 0, {root_id}
    while frontier and (max_depth is None or depth < max_depth):
        depth += 1
        nxt = []
        for parent in frontier:
            for child in index.get(parent, []):
                if child.id not in seen:  # a guard: the forest has no cycles, history included
                    seen.add(child.id)
                    out.append((child, depth))
                    nxt.append(child.id)
        frontier = nxt
    return out


def ancestors(units: Iterable[Unit], unit_id: str) -> list[Unit]:
    """Nearest first, up to the root."""
    by_id = {u.id: u for u in units}
    out: list[Unit] = []
    current = by_id.get(unit_id)
    seen = {unit_id}
    while current is not None and current.parent_id and current.parent_id not in seen:
        seen.add(current.parent_id)
        current = by_id.get(current.parent_id)
        if current is not None:
            out.append(current)
    return out


def reports(people: Iterable[Person], manager_id: str, recursive: bool) -> list[Person]:
    index: dict[str | None, list[Person]] = defaultdict(list)
    for p in sorted(people, key=lambda p: p.id):
        index[p.manager_id].append(p)
    out: list[Person] = []
    frontier, seen = [manager_id], {manager_id}
    while frontier:
        nxt = []
        for m in frontier:
            for p in index.get(m, []):
                if p.id not in seen:
                    seen.add(p.id)
                    out.append(p)
                    nxt.append(p.id)
        if not recursive:
            break
        frontier = nxt
    return out


def management_chain(people: Iterable[Person], person_id: str) -> list[Person]:
    """The person's manager, then that manager's, up to the top."""
    by_id = {p.id: p for p in people}
    out: list[Person] = []
    current = by_id.get(person_id)
    seen = {person_id}
    while current is not None and current.manager_id and current.manager_id not in seen:
        seen.add(current.manager_id)
        current = by_id.get(current.manager_id)
        if current is not None:
            out.append(current)
    return out
