"""Rate limits per API client (a sliding window counter: constant work per hit), with the RateLimit
headers. A shared store (Redis, …) goes through the `limits` library's asyncio strategy; in process
memory the same counting is done here, because `limits`' memory storage starts a thread every 10 ms to
expire its keys, which then competes with the event loop for the interpreter (bench/RESULTS.md, "Rate
limiter in memory")."""

from __future__ import annotations

import math
import time

from limits import parse
from limits.aio.strategies import SlidingWindowCounterRateLimiter as SharedWindow
from limits.storage import storage_from_string


class LocalWindow:
    """The sliding window counter of `limits` (the previous window's count, weighted by how much of it
    still overlaps the sliding window, plus the current window's), kept in a dict. Windows older than
    the previous one are dropped when their key is hit, and idle keys every `SWEEP` hits."""

    SWEEP = 10_000

    def __init__(self, amount: int, window: int) -> None:
        self.amount, self.window = amount, window
        self.counts: dict[str, tuple[int, int, int]] = {}  # key → (current window's number, its count, previous count)
        self.hits = 0

    def _state(self, key: str, now: float) -> tuple[int, int, int]:
        number = int(now // self.window)
        current, count, previous = self.counts.get(key, (number, 0, 0))
        if current == number:
            return number, count, previous
        return number, 0, (count if current == number - 1 else 0)

    def _weighted(self, now: float, count: int, previous: int) -> float:
        overlap = 1 - (now % self.window) / self.window
        return previous * overlap + count

    def hit(self, key: str, cost: int = 1) -> tuple[bool, int, float]:
        """(allowed, remaining, when the window has room again, as a Unix time): `cost` hits at once."""
        now = time.time()
        self.hits += 1
        if self.hits % self.SWEEP == 0:
            self._sweep(int(now // self.window))
        number, count, previous = self._state(key, now)
        allowed = math.floor(self._weighted(now, count, previous)) + cost <= self.amount
        if allowed:
            count += cost
        self.counts[key] = (number, count, previous)
        remaining = max(0, self.amount - math.floor(self._weighted(now, count, previous)))
        reset = (number + 1) * self.window if previous == 0 else now + self.window * (1 / max(previous, 1))
        return allowed, remaining, reset

    def _sweep(self, number: int) -> None:
        for key in [k for k, (n, _, _) in self.counts.items() if n < number - 1]:
            del self.counts[key]


class RateLimiter:
    def __init__(self, spec: str, storage_uri: str) -> None:
        self.item = parse(spec)
        self.window = self.item.get_expiry()
        # In process memory there is nothing to wait for: the synchronous strategy does the same counting
        # without a coroutine per storage call (a third of the limiter's cost on every request). A shared
        # store (Redis, …) is reached over the network, through the asyncio strategy.
        self.local: LocalWindow | None = None
        self.shared: SharedWindow | None = None
        if storage_uri.removeprefix("async+").startswith("memory://"):
            self.local = LocalWindow(self.item.amount, self.window)
        else:
            uri = storage_uri if storage_uri.startswith("async+") else "async+" + storage_uri
            self.shared = SharedWindow(storage_from_string(uri))

    async def hit(self, key: str, cost: int = 1) -> tuple[bool, dict[str, str], int]:
        """(allowed, the RateLimit headers, seconds until the window has room again): `cost` hits."""
        if self.local is not None:
            allowed, remaining, reset_time = self.local.hit(key, cost)
        else:
            assert self.shared is not None
            allowed = await self.shared.hit(self.item, key, cost=cost)
            stats = await self.shared.get_window_stats(self.item, key)
            remaining, reset_time = stats.remaining, stats.reset_time
        reset = max(0, math.ceil(reset_time - time.time()))
        headers = {
            "RateLimit-Limit": str(self.item.amount),
            "RateLimit-Remaining": str(max(0, remaining)),
            "RateLimit-Reset": str(reset),
            "RateLimit-Policy": f"{self.item.amount};w={self.window}",
        }
        return allowed, headers, max(1, reset)
