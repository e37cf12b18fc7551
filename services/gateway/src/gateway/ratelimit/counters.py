"""Fixed-window counters: in memory for one process, in Redis for a fleet of gateways."""

from __future__ import annotations

import time
from typing import Protocol

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.ratelimit.rules import window_index

log = structlog.get_logger(__name__)

# INCR the window's counter and give it a lifetime the first time: one round trip, atomic on the server.
FIXED_WINDOW_LUA = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return count
"""


class Counter(Protocol):
    """Counts hits of one client in the current window."""

    async def hit(self, key: str, window_s: int, now_s: float) -> int:
        """Count one hit; return this hit's position in its window."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


class MemoryCounter:
    """Per-process counters; stale windows are dropped whenever the window turns over."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._window: int | None = None

    async def hit(self, key: str, window_s: int, now_s: float) -> int:
        index = window_index(now_s, window_s)
        if index != self._window:
            self._counts.clear()
            self._window = index
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        return count

    async def aclose(self) -> None:
        self._counts.clear()


class RedisCounter:
    """Shared counters in Redis; a Redis outage falls back to memory rather than refusing every caller."""

    def __init__(self, url: str, *, prefix: str = "gw:rl:") -> None:
        self.redis: Redis = Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.prefix = prefix
        self._script = self.redis.register_script(FIXED_WINDOW_LUA)
        self._fallback = MemoryCounter()

    async def hit(self, key: str, window_s: int, now_s: float) -> int:
        index = window_index(now_s, window_s)
        redis_key = f"{self.prefix}{key}:{index}"
        try:
            count = await self._script(keys=[redis_key], args=[window_s + 1])
        except (RedisError, OSError) as exc:
            log.warning("rate_limit_redis_unavailable", error=type(exc).__name__)
            return await self._fallback.hit(key, window_s, now_s)
        return int(count)

    async def aclose(self) -> None:
        await self.redis.aclose()


def make_counter(redis_url: str | None) -> Counter:
    """Redis when configured, memory otherwise."""
    return RedisCounter(redis_url) if redis_url else MemoryCounter()


def now_s() -> float:
    """Wall-clock seconds: windows must agree across gateway processes sharing Redis."""
    return time.time()


__all__ = ["Counter", "MemoryCounter", "RedisCounter", "make_counter", "now_s"]
