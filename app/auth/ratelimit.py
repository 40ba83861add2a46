"""Rate limits per API client (sliding window counter: constant work per hit, from the `limits` library), with the RateLimit headers."""

from __future__ import annotations

import math
import time

from limits import parse
from limits.aio.strategies import SlidingWindowCounterRateLimiter as SharedWindow
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter as LocalWindow


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
            self.local = LocalWindow(storage_from_string(storage_uri.removeprefix("async+")))
        else:
            uri = storage_uri if storage_uri.startswith("async+") else "async+" + storage_uri
            self.shared = SharedWindow(storage_from_string(uri))

    async def hit(self, key: str) -> tuple[bool, dict[str, str], int]:
        """(allowed, the RateLimit headers, seconds until the window has room again)."""
        if self.local is not None:
            allowed = self.local.hit(self.item, key)
            stats = self.local.get_window_stats(self.item, key)
        else:
            assert self.shared is not None
            allowed = await self.shared.hit(self.item, key)
            stats = await self.shared.get_window_stats(self.item, key)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        headers = {
            "RateLimit-Limit": str(self.item.amount),
            "RateLimit-Remaining": str(max(0, stats.remaining)),
            "RateLimit-Reset": str(reset),
            "RateLimit-Policy": f"{self.item.amount};w={self.window}",
        }
        return allowed, headers, max(1, reset)
