"""Rate limits per API client (sliding window counter: constant work per hit, from the `limits` library), with the RateLimit headers."""

from __future__ import annotations

import math
import time

from limits import parse
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string


class RateLimiter:
    def __init__(self, spec: str, storage_uri: str) -> None:
        self.item = parse(spec)
        uri = storage_uri if storage_uri.startswith("async+") else "async+" + storage_uri
        self.strategy = SlidingWindowCounterRateLimiter(storage_from_string(uri))
        self.window = self.item.get_expiry()

    async def hit(self, key: str) -> tuple[bool, dict[str, str], int]:
        """(allowed, the RateLimit headers, seconds until the window has room again)."""
        allowed = await self.strategy.hit(self.item, key)
        stats = await self.strategy.get_window_stats(self.item, key)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        headers = {
            "RateLimit-Limit": str(self.item.amount),
            "RateLimit-Remaining": str(max(0, stats.remaining)),
            "RateLimit-Reset": str(reset),
            "RateLimit-Policy": f"{self.item.amount};w={self.window}",
        }
        return allowed, headers, max(1, reset)
