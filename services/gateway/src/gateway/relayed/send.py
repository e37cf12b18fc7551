"""One relayed request: the caller's body bytes, on the service's ServiceClient (same contract as every hop).

The per-attempt timeout, the retry budget (GET, or a write carrying an Idempotency-Key) and back-off, the
circuit breaker, and the 503 naming the service with Retry-After all come from `skills_shared.clients`.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from skills_shared.clients import ServiceClient


async def send(
    service: ServiceClient,
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
    timeout_s: float | None = None,
) -> httpx.Response:
    """Send ``method target`` (path and encoded query); any answer below 500 is returned, read in full."""
    return await service.request(method, target, content=body or None, headers=headers, timeout_s=timeout_s)
