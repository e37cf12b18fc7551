"""Rate-limit counting on the `limits` library: fixed windows in Redis for a fleet of gateways, memory otherwise.

When Redis is configured but does not answer (down, network cut, timeout after 0.5 s), each gateway process
counts in its own memory instead and stops asking Redis for `REDIS_RETRY_S` seconds: callers are still limited,
per process rather than fleet-wide (a client spread over N pods gets up to N budgets), and nobody is refused
because the counter store is sick. Every switch is logged (`rate_limit_redis_unavailable`) and counted in the
`gateway_rate_limit_store_fallbacks_total` metric. See docs/operations.md.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import structlog
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from prometheus_client import Counter

log = structlog.get_logger(__name__)

REDIS_RETRY_S = 5.0
"""After a Redis failure, memory counters are used for this long before Redis is tried again."""

FALLBACKS = Counter(
    "gateway_rate_limit_store_fallbacks_total",
    "Times the gateway switched from Redis to per-process rate-limit counters",
)


@dataclass(frozen=True, slots=True)
class Hit:
    """The answer for one request: allowed or not, the limit, and seconds until the window resets."""

    allowed: bool
    limit: int
    retry_after_s: int


class Limiter:
    """Fixed-window limits per (budget, client) key; Redis-backed when ``redis_url`` is set."""

    def __init__(self, redis_url: str | None, *, prefix: str = "gw-rl") -> None:
        self.prefix = prefix
        self.memory = FixedWindowRateLimiter(MemoryStorage())
        self.storage: Storage | None = None
        self.shared: FixedWindowRateLimiter | None = None
        if redis_url:
            uri = redis_url if redis_url.startswith("async+") else f"async+{redis_url}"
            self.storage = RedisStorage(
                uri,
                implementation="redispy",
                wrap_exceptions=True,
                socket_timeout=0.5,
                socket_connect_timeout=0.5,
            )
            self.shared = FixedWindowRateLimiter(self.storage)
        self._redis_down_until = 0.0

    @staticmethod
    def item(limit: int, window_s: int) -> RateLimitItem:
        """The `limits` item of ``limit`` requests per ``window_s`` seconds."""
        return RateLimitItemPerSecond(limit, window_s)

    async def hit(self, key: str, limit: int, window_s: int) -> Hit:
        """Count one request of ``key`` against ``limit`` per ``window_s``."""
        item = self.item(limit, window_s)
        limiter = self.memory
        if self.shared is not None and time.monotonic() >= self._redis_down_until:
            try:
                return await self._hit(self.shared, item, key)
            except Exception as exc:  # any storage failure: count locally, say so
                self._redis_down_until = time.monotonic() + REDIS_RETRY_S
                FALLBACKS.inc()
                log.warning(
                    "rate_limit_redis_unavailable", error=type(exc).__name__, retry_in_s=REDIS_RETRY_S
                )
        return await self._hit(limiter, item, key)

    async def _hit(self, limiter: FixedWindowRateLimiter, item: RateLimitItem, key: str) -> Hit:
        allowed = await limiter.hit(item, self.prefix, key)
        if allowed:
            return Hit(True, item.amount, 0)
        stats = await limiter.get_window_stats(item, self.prefix, key)
        return Hit(False, item.amount, max(1, math.ceil(stats.reset_time - time.time())))

    async def aclose(self) -> None:
        """Nothing to release: the Redis client's pool closes with the process."""
        return None


__all__ = ["Hit", "Limiter"]
