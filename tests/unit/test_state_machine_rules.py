"""State machines as data: the table answers every move, refuses the others with a 409 that says what is
allowed, runs its guards, and refuses to be built with states it does not declare. The webhook delivery
table, move by move."""

from __future__ import annotations

import itertools

import pytest

from app.domain.errors import Conflict
from app.domain.states import StateMachine, move
from app.domain.webhooks.model import DELIVERY_STATES, attempt_action

DOOR = StateMachine(
    "door",
    ("open", "closed", "locked"),
    [
        move("close", {"open"}, "closed"),
        move("open", {"closed"}, "open"),
        move("lock", {"closed"}, "locked", guard=lambda key: None if key == "brass" else "wrong key"),
        move("unlock", {"locked"}, "closed"),
    ],
)


def test_every_move_in_the_table_is_taken_and_every_other_is_a_conflict() -> None:
    table = {(s, t.action): t.target for t in DOOR.transitions for s in t.sources}
    for state, action in itertools.product(DOOR.states, [t.action for t in DOOR.transitions]):
        if (state, action) in table:
            assert DOOR.take(state, action, "brass").target == table[(state, action)]
        else:
            with pytest.raises(Conflict) as refused:
                DOOR.take(state, action, "brass")
            assert refused.value.field == "/status"
            assert all(allowed in refused.value.detail for allowed in DOOR.allowed(state))


def test_a_guard_refuses_with_its_reason() -> None:
    with pytest.raises(Conflict, match="wrong key"):
        DOOR.take("closed", "lock", "tin")
    assert DOOR.take("closed", "lock", "brass").target == "locked"


def test_a_table_naming_an_undeclared_state_is_not_built() -> None:
    with pytest.raises(ValueError, match="unknown states"):
        StateMachine("door", ("open",), [move("close", {"open"}, "closed")])


@pytest.mark.parametrize(
    ("ok", "retry_scheduled", "target"),
    [(True, False, "succeeded"), (False, True, "pending"), (False, False, "failed")],
)
def test_an_attempt_moves_a_pending_delivery_by_its_result(ok: bool, retry_scheduled: bool, target: str) -> None:
    assert DELIVERY_STATES.take("pending", attempt_action(ok=ok, retry_scheduled=retry_scheduled)).target == target


def test_a_finished_delivery_takes_no_attempt_result_but_can_be_retried() -> None:
    for state, action in itertools.product(("succeeded", "failed"), ("succeed", "reschedule", "give_up")):
        with pytest.raises(Conflict):
            DELIVERY_STATES.take(state, action)
    for state in DELIVERY_STATES.states:
        assert DELIVERY_STATES.take(state, "retry").target == "pending"
    with pytest.raises(Conflict):
        DELIVERY_STATES.take("succeeded", "recover")  # recovery re-sends what failed, not what arrived
