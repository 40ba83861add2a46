"""Idempotency keys. The key's row is inserted in the same transaction as the change it guards: a
concurrent request with the same key blocks on the unique key until the first commits (PostgreSQL)
or waits for the write lock (SQLite), then finds the stored answer and replays it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.repo.tables import IdempotencyKeyRow

TTL = timedelta(hours=24)
PENDING = 0


@dataclass(frozen=True)
class StoredAnswer:
    fingerprint: str
    status_code: int
    body: Any
    headers: dict[str, str]

    @property
    def pending(self) -> bool:
        return self.status_code == PENDING


class IdempotencyStore:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    async def find(self, client_id: str, key: str, now: datetime) -> StoredAnswer | None:
        row = (
            await self.session.execute(
                select(IdempotencyKeyRow).where(
                    col(IdempotencyKeyRow.client_id) == client_id,
                    col(IdempotencyKeyRow.key) == key,
                    col(IdempotencyKeyRow.expires_at) > now,
                )
            )
        ).scalar()
        if row is None:
            return None
        return StoredAnswer(row.fingerprint, row.status_code, row.body, dict(row.headers))

    async def claim(self, client_id: str, key: str, fingerprint: str, now: datetime) -> bool:
        """Reserve the key inside the current transaction. False when another request holds it."""
        await self.session.execute(
            delete(IdempotencyKeyRow).where(
                col(IdempotencyKeyRow.client_id) == client_id,
                col(IdempotencyKeyRow.key) == key,
                col(IdempotencyKeyRow.expires_at) <= now,
            )
        )
        self.session.add(
            IdempotencyKeyRow(
                organization_id=self.organization_id,
                client_id=client_id,
                key=key,
                fingerprint=fingerprint,
                status_code=PENDING,
                body=None,
                headers={},
                created_at=now,
                expires_at=now + TTL,
            )
        )
        try:
            await self.session.flush()
        except IntegrityError:
            return False
        return True

    async def complete(self, client_id: str, key: str, status_code: int, body: Any, headers: dict[str, str]) -> None:
        await self.session.execute(
            update(IdempotencyKeyRow)
            .where(col(IdempotencyKeyRow.client_id) == client_id, col(IdempotencyKeyRow.key) == key)
            .values(status_code=status_code, body=body, headers=headers)
            .execution_options(synchronize_session=False)
        )

    async def purge_expired(self, now: datetime) -> int:
        result = await self.session.execute(delete(IdempotencyKeyRow).where(col(IdempotencyKeyRow.expires_at) <= now))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
