"""Which due deliveries a worker takes next: a fair share of its slots for every organization and every
endpoint, so that one organization's slow or failing receivers cannot hold the slots everyone shares.

The rule: at most `per_endpoint` attempts in flight to one endpoint and `per_organization` for one
organization; among the due deliveries, organizations take turns (round robin, each in the order its
deliveries fell due)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Due:
    id: str
    organization_id: str
    endpoint_id: str


@dataclass(frozen=True)
class Claimed:
    """A due delivery this worker leased until `lease`, with what sending it needs."""

    id: str
    organization_id: str
    endpoint_id: str
    message_id: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    lease: datetime

    @property
    def due(self) -> Due:
        return Due(self.id, self.organization_id, self.endpoint_id)


@dataclass
class InFlight:
    """What one worker is sending now, by endpoint and by organization."""

    endpoints: Counter[str]
    organizations: Counter[str]

    @classmethod
    def empty(cls) -> InFlight:
        return cls(Counter(), Counter())

    def start(self, d: Due) -> None:
        self.endpoints[d.endpoint_id] += 1
        self.organizations[d.organization_id] += 1

    def end(self, d: Due) -> None:
        for counter, key in ((self.endpoints, d.endpoint_id), (self.organizations, d.organization_id)):
            counter[key] -= 1
            if counter[key] <= 0:
                del counter[key]

    def full_endpoints(self, per_endpoint: int) -> list[str]:
        return sorted(k for k, n in self.endpoints.items() if n >= per_endpoint)

    def full_organizations(self, per_organization: int) -> list[str]:
        return sorted(k for k, n in self.organizations.items() if n >= per_organization)


def fair_pick(due: list[Due], free: int, in_flight: InFlight, per_endpoint: int, per_organization: int) -> list[Due]:
    """At most `free` of `due` (oldest first within an organization), organizations taking turns, no
    endpoint or organization over its share counting what is already in flight."""
    queues: dict[str, list[Due]] = {}
    for d in due:
        queues.setdefault(d.organization_id, []).append(d)
    endpoints, organizations = Counter(in_flight.endpoints), Counter(in_flight.organizations)
    picked: list[Due] = []
    while len(picked) < free and queues:
        for org in list(queues):
            queue = queues[org]
            while queue and endpoints[queue[0].endpoint_id] >= per_endpoint:
                queue.pop(0)  # that endpoint has its share: its deliveries wait for a later claim
            if not queue or organizations[org] >= per_organization:
                del queues[org]
                continue
            d = queue.pop(0)
            picked.append(d)
            endpoints[d.endpoint_id] += 1
            organizations[org] += 1
            if len(picked) == free:
                break
    return picked
