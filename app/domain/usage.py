"""What a request weighs in the rate limit. Ordinary work is one hit a request; work that is many requests
in one (a sync of thousands of rows, a GraphQL document of several mutations) weighs what it does, so
that it cannot multiply what one hit buys:
- every request: 1 hit;
- a sync of the org chart (REST or GraphQL): 1 more hit per ROWS_PER_HIT units and people it carries;
- a GraphQL document: 1 more hit per mutation after its first; at most MAX_MUTATIONS mutations in one
  document (refused before anything runs).
The limit itself is LIAISON_RATE_LIMIT (per API client, or per token subject)."""

from __future__ import annotations

ROWS_PER_HIT = 100
MAX_MUTATIONS = 10


def sync_weight(units: int, people: int) -> int:
    """The hits a sync costs beyond its request's own."""
    return (units + people) // ROWS_PER_HIT


def mutations_weight(mutations: int) -> int:
    """The hits a GraphQL document costs beyond its request's own."""
    return max(0, mutations - 1)
