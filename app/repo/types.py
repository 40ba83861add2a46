from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Float, ForeignKey, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field

JsonType = JSON().with_variant(JSONB(), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both engines (SQLite keeps no zone: we store UTC and give it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _to_float(value: Any) -> float | None:
    return None if value is None else float(value)


class Real(TypeDecorator[float]):
    """A double-precision number; read as a Python float on both engines (the drivers give floats already:
    this only spares asyncpg's numeric processor, which wants to know the column's type)."""

    impl = Float(53)
    cache_ok = True

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        return _to_float


def reference(table: str, *, optional: bool = False, cascade: bool = False) -> Any:
    """A column holding the id of a row of `table` (a foreign key): required unless `optional` (then null by
    default), the row deleted with the one it names when `cascade`."""
    column = Column(String(40), ForeignKey(f"{table}.id", ondelete="CASCADE" if cascade else None), nullable=optional)
    return Field(default=None, sa_column=column) if optional else Field(sa_column=column)


def organization_column() -> Any:
    """The organization a tenant's row belongs to; the row goes with its organization."""
    return reference("organizations", cascade=True)
