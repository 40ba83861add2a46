"""State machines as data: a table of transitions (an action, the states it may start from, the state it
leads to, an optional guard, the event it records) that answers every move, and refuses the others with
a 409 naming what is allowed. Webhook deliveries use it now; objectives and handoffs will."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from app.domain.errors import Conflict

Guard = Callable[[Any], str | None]  # the subject → a reason to refuse, or None


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    guard: Guard | None = None
    event: str | None = None


def move(
    action: str, sources: Iterable[str], target: str, *, guard: Guard | None = None, event: str | None = None
) -> Transition:
    return Transition(action, frozenset(sources), target, guard, event)


class StateMachine:
    def __init__(self, name: str, states: Iterable[str], transitions: Iterable[Transition]) -> None:
        self.name = name
        self.states = frozenset(states)
        self.transitions = tuple(transitions)
        for t in self.transitions:
            unknown = (t.sources | {t.target}) - self.states
            if unknown:
                raise ValueError(f"{name}: {t.action} names unknown states {sorted(unknown)}")
        self._by_move = {(source, t.action): t for t in self.transitions for source in t.sources}
        self._by_target = {(source, t.target): t for t in self.transitions for source in t.sources}

    def allowed(self, state: str) -> list[str]:
        """The actions the table allows from `state`, in the table's order."""
        return [t.action for t in self.transitions if state in t.sources]

    def take(self, state: str, action: str, subject: Any = None) -> Transition:
        """The transition `action` makes from `state`; Conflict (409) when the table has none, or when its
        guard refuses, saying what is allowed."""
        transition = self._by_move.get((state, action))
        if transition is None:
            allowed = self.allowed(state)
            choices = ", ".join(allowed) if allowed else "nothing"
            raise Conflict(f"{_a(self.name)} that is {state} cannot {action}; it can: {choices}.", field="/status")
        if transition.guard is not None:
            reason = transition.guard(subject)
            if reason is not None:
                raise Conflict(f"{_a(self.name)} that is {state} cannot {action}: {reason}", field="/status")
        return transition

    def to(self, state: str, target: str, subject: Any = None) -> Transition:
        """The transition from `state` to `target` (a PATCH of the status names where it goes, not the
        action); Conflict (409) when the table has none, saying which states are allowed from here."""
        transition = self._by_target.get((state, target))
        if transition is None:
            targets = [t.target for t in self.transitions if state in t.sources]
            choices = ", ".join(targets) if targets else "nothing (it is final)"
            raise Conflict(
                f"{_a(self.name)} that is {state} cannot become {target}; it can become: {choices}.", field="/status"
            )
        return self.take(state, transition.action, subject)


def _a(noun: str) -> str:
    return ("An " if noun[:1].lower() in "aeiou" else "A ") + noun
