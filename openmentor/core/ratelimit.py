"""Two small rate limiters: a token bucket held by one object (one websocket connection)
and a fixed window counted in the shared cache (one person across processes).

With the local-memory cache (no REDIS_URL) the window is per process, which is the only
place such a deployment runs anyway.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async
from django.core.cache import cache


@dataclass
class TokenBucket:
    """Allows bursts of `capacity` events, then `per_second` events a second."""

    capacity: float
    per_second: float
    tokens: float = field(init=False)
    updated: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = self.capacity
        self.updated = time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


async def window_allow(key: str, *, limit: int, seconds: int) -> bool:
    """Counts one event under `key`; False once `limit` events fell in this window."""
    bucket = f"ratelimit:{key}:{int(time.time() // seconds)}"
    return await sync_to_async(_window_count)(bucket, seconds) <= limit


def window_allow_sync(key: str, *, limit: int, seconds: int) -> tuple[bool, int]:
    """The synchronous `window_allow`, for plain views: (allowed, seconds until the
    window ends)."""
    now = time.time()
    bucket = f"ratelimit:{key}:{int(now // seconds)}"
    retry_after = max(1, int(seconds - now % seconds))
    return _window_count(bucket, seconds) <= limit, retry_after


def _window_count(bucket: str, seconds: int) -> int:
    # The synchronous add and incr are atomic (a lock in the local-memory cache, INCR in
    # Redis); the async aincr of Django's base cache is a get then a set, which loses
    # counts when several connections send at once.
    cache.add(bucket, 0, timeout=seconds * 2)
    try:
        return int(cache.incr(bucket))
    except ValueError:  # evicted between add and incr: count this one as the first
        cache.set(bucket, 1, timeout=seconds * 2)
        return 1
