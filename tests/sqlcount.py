"""Count the SQL statements an app runs while a block runs (what a test asserts about N+1 and refusals)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event


@contextmanager
def counting_statements(app: Any) -> Iterator[list[str]]:
    """The SQL text of every statement the app's database runs inside the block, in order."""
    statements: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        statements.append(sql)

    engine = app.state.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
