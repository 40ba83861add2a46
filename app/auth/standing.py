"""The standing of a verified token: what its claims name must exist now. A signature proves who issued
the token, not that its organization, person or API client still stand behind it:
- `org` must name an organization (else 401, not a 409 on the first write);
- `person` must name a person of that organization (else 401: no token may act as someone of another
  organization, or as no one);
- `client_id`, in a token this service signed (/v1/oauth/token), must name an API client of that
  organization that still holds every scope of the token: deleting the client, or narrowing its scopes,
  revokes the tokens issued before, at once. (A token of your identity provider is revoked there.)

Checked on every request without a round trip in the common case. Organizations and people are never
deleted, so what was found once is remembered. API clients are: each process keeps what it read about a
client, and drops it when a revocation is recorded (app/repo/repositories.py). It learns of revocations
by reading the recent ones, at most every `revocation_poll_seconds`, on the first request after that
period (one request waits for that small read; the others go on), so a revoked token stops working on
every process within that period of the change. Each read takes every revocation recorded since a minute
before the previous read, and acts on those it has not seen: a revocation whose transaction commits after
a later one (its sequence number lower than one already read) is still found."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from app.domain.errors import Unauthenticated
from app.domain.principal import Principal
from app.repo.platform import StandingStore

REMEMBERED = 100_000  # organizations, people or clients remembered per process before starting over
# How far back each read of revocations looks before the previous read: longer than a transaction that
# records a revocation may take to commit (and than the clocks of two servers may differ).
OVERLAP = timedelta(seconds=60)


class Standing:
    def __init__(self, db: Any, poll_seconds: float) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self._orgs: set[str] = set()
        self._people: set[tuple[str, str]] = set()
        self._clients: dict[str, tuple[str, frozenset[str]] | None] = {}
        self._last_read: datetime | None = None
        self._seen: dict[int, datetime] = {}  # revocations acted on, by sequence number, while they may be read again
        self._next_poll = 0.0
        self._generation = 0  # grows with each read that found revocations
        self._polling: asyncio.Task[None] | None = None

    async def check(self, principal: Principal) -> None:
        """Unauthenticated when the token's claims name what does not stand."""
        if time.monotonic() >= self._next_poll or self._last_read is None:
            await self._poll()
        org, person = principal.organization_id, principal.person_id
        client_id = principal.client_id if principal.issued_here else None
        if org is None:
            return
        known = (
            org in self._orgs
            and (person is None or (org, person) in self._people)
            and (client_id is None or client_id in self._clients)
        )
        if not known:
            client = await self._look_up(principal)
        else:
            client = self._clients.get(client_id) if client_id is not None else None
        if client_id is not None and (client is None or client[0] != org or not principal.scopes <= client[1]):
            raise Unauthenticated("The token's API client was deleted or its scopes changed: get a new token.")

    async def _look_up(self, principal: Principal) -> tuple[str, frozenset[str]] | None:
        """What the claims name, read and remembered; the token's client as it stands (None: none)."""
        org = principal.organization_id
        assert org is not None
        generation = self._generation
        async with self.db.system_unit_of_work() as uow:
            store: StandingStore = uow.standing
            if org not in self._orgs:
                if not await store.organization_exists(org):
                    raise Unauthenticated("The token's organization does not exist.")
                self._remember(self._orgs, org)
            person = principal.person_id
            if person is not None and (org, person) not in self._people:
                if not await store.person_exists(org, person):
                    raise Unauthenticated("The token's `person` is no person of its organization.")
                self._remember(self._people, (org, person))
            if principal.client_id is None or not principal.issued_here:
                return None
            client: tuple[str, frozenset[str]] | None = await store.client(principal.client_id)
        # A revocation read while this lookup ran may be newer than what it found: then it is not kept.
        if generation == self._generation:
            if len(self._clients) >= REMEMBERED:
                self._clients.clear()
            self._clients[principal.client_id] = client
        return client

    @staticmethod
    def _remember(found: set[Any], value: Any) -> None:
        if len(found) >= REMEMBERED:
            found.clear()
        found.add(value)

    async def _poll(self) -> None:
        """One read of the revocations recorded since the last, awaited by the request that found it due;
        requests that come while it runs go on with what is known (at most one period and one read old)."""
        if self._polling is not None:
            return
        polling = self._polling = asyncio.ensure_future(self._read_revocations())
        try:
            await asyncio.shield(polling)
        finally:
            self._polling = None

    async def _read_revocations(self) -> None:
        started = datetime.now(UTC)
        async with self.db.system_unit_of_work() as uow:
            if self._last_read is None:
                self._clients.clear()
            else:
                found = await uow.standing.revocations_since(self._last_read - OVERLAP)
                fresh = [(seq, client_id) for seq, client_id in found if seq not in self._seen]
                if fresh:
                    self._generation += 1
                for seq, client_id in fresh:
                    self._clients.pop(client_id, None)
                    self._seen[seq] = started
        self._last_read = started
        forgotten = started - 2 * OVERLAP
        for seq in [seq for seq, when in self._seen.items() if when < forgotten]:
            del self._seen[seq]
        self._next_poll = time.monotonic() + self.poll_seconds
