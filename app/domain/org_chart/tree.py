"""Walking the unit forest and the management lines in memory, for reads of the past (`as_of`), where
the whole snapshot of the organization at that instant has been loaded in one statement. Both are trees
of one pointer (a unit's `parent_id`, a person's `manager_id`): one walk down, one walk up, for both."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from app.domain.org_chart.model import Person, Unit


class Node(Protocol):
    @property
    def id(self) -> str: ...


N = TypeVar("N", bound=Node)


def below(
    nodes: Iterable[N], root_id: str, up: Callable[[N], str | None], max_depth: int | None = None
) -> list[tuple[N, int]]:
    """Breadth first from `root_id`, each node with its depth below the root (its children at 1), children
    in id order; `up` gives a node's parent's id. A guard against cycles: the trees have none, history
    included."""
    index: dict[str | None, list[N]] = defaultdict(list)
    for n in sorted(nodes, key=lambda n: n.id):
        index[up(n)].append(n)
    out: list[tuple[N, int]] = []
    frontier, depth, seen = [root_id], 0, {root_id}
    while frontier and (max_depth is None or depth < max_depth):
        depth += 1
        nxt = []
        for parent in frontier:
            for child in index.get(parent, []):
                if child.id not in seen:
                    seen.add(child.id)
                    out.append((child, depth))
                    nxt.append(child.id)
        frontier = nxt
    return out


def above(nodes: Iterable[N], node_id: str, up: Callable[[N], str | None]) -> list[N]:
    """The node's parent, then its parent's, up to the top (nearest first)."""
    by_id = {n.id: n for n in nodes}
    out: list[N] = []
    current = by_id.get(node_id)
    seen = {node_id}
    while current is not None and (parent := up(current)) and parent not in seen:
        seen.add(parent)
        current = by_id.get(parent)
        if current is not None:
            out.append(current)
    return out


def descendants(units: Iterable[Unit], root_id: str, max_depth: int | None = None) -> list[tuple[Unit, int]]:
    """Breadth first, with each unit's depth below the root (children are at depth 1)."""
    return below(units, root_id, lambda u: u.parent_id, max_depth)


def ancestors(units: Iterable[Unit], unit_id: str) -> list[Unit]:
    """Nearest first, up to the root."""
    return above(units, unit_id, lambda u: u.parent_id)


def reports(people: Iterable[Person], manager_id: str, recursive: bool) -> list[Person]:
    """The manager's direct reports, or (`recursive`) everyone under the manager, level by level."""
    return [p for p, _ in below(people, manager_id, lambda p: p.manager_id, None if recursive else 1)]


def management_chain(people: Iterable[Person], person_id: str) -> list[Person]:
    """The person's manager, then that manager's, up to the top."""
    return above(people, person_id, lambda p: p.manager_id)
