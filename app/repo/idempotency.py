"""Idempotency keys. The key's row is inserted in the same transaction as the change it guards: a
concurrent request with the same key blocks on the unique key until the first commits (PostgreSQL)
or waits for the write lock (SQLite), then finds the stored answer and replays it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.repo.repositories import table
from app.repo.sql import ORG, Sql, org_criterion
from app.repo.tables import IdempotencyKeyRow

TTL = timedelta(hours=24)
PENDING = 0

_K = table(IdempotencyKeyRow)
_KEY = (_K.c.client_id == bindparam("client_id"), _K.c.key == bindparam("key"))
_AT = _K.c.expires_at.type
FIND = select(_K.c.fingerprint, _K.c.status_code, _K.c.body, _K.c.headers).where(
    org_criterion(_K), *_KEY, _K.c.expires_at > bindparam("now", type_=_AT)
)
DROP_EXPIRED = delete(_K).where(org_criterion(_K), *_KEY, _K.c.expires_at <= bindparam("now", type_=_AT))
CLAIM = insert(_K).values(
    organization_id=bindparam(ORG),
    client_id=bindparam("client_id"),
    key=bindparam("key"),
    fingerprint=bindparam("fingerprint"),
    status_code=PENDING,
    body=None,
    headers=bindparam("empty", type_=_K.c.headers.type),
    created_at=bindparam("now", type_=_AT),
    expires_at=bindparam("expires", type_=_AT),
)
COMPLETE = (
    update(_K)
    .where(org_criterion(_K), *_KEY)
    .values(
        status_code=bindparam("status_code"),
        body=bindparam("body", type_=_K.c.body.type),
        headers=bindparam("headers", type_=_K.c.headers.type),
    )
)
PURGE = delete(_K).where(_K.c.expires_at <= bindparam("now", type_=_AT))  # maintenance: every organization


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
    def __init__(self, sql: Sql, organization_id: str) -> None:
        self.sql = sql
        self.organization_id = organization_id

    async def find(self, client_id: str, key: str, now: datetime) -> StoredAnswer | None:
        found = await self.sql.row(FIND, {"client_id": client_id, "key": key, "now": now})
        if found is None:
            return None
        return StoredAnswer(found[0], found[1], found[2], dict(found[3] or {}))

    async def claim(self, client_id: str, key: str, fingerprint: str, now: datetime) -> bool:
        """Reserve the key inside the current transaction. False when another request holds it."""
        key_params = {"client_id": client_id, "key": key, "now": now}
        await self.sql.run(DROP_EXPIRED, key_params)
        try:
            await self.sql.run(CLAIM, {**key_params, "fingerprint": fingerprint, "empty": {}, "expires": now + TTL})
        except IntegrityError:
            return False
        return True

    async def complete(self, client_id: str, key: str, status_code: int, body: Any, headers: dict[str, str]) -> None:
        await self.sql.run(
            COMPLETE, {"client_id": client_id, "key": key, "status_code": status_code, "body": body, "headers": headers}
        )

    async def purge_expired(self, now: datetime) -> int:
        return await self.sql.run(PURGE, {"now": now})
