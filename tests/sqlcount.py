"""Count the SQL statements an app runs while a block runs (what a test asserts about N+1 and refusals)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def counting_statements(app: Any) -> Iterator[list[str]]:
    """The SQL text of every statement the app's database runs inside the block, in order (BEGIN and
    COMMIT included), but the read of new credential revocations, which a process makes a few times a
    second whatever the request (app/auth/standing.py): a block that takes longer would count it."""
    statements: list[str] = []

    def heard(sql: str, _args: Any) -> None:
        if "credential_revocations" not in sql:
            statements.append(sql)

    listeners = app.state.db.statement_listeners
    listeners.append(heard)
    try:
        yield statements
    finally:
        listeners.remove(heard)
