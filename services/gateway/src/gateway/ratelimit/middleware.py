"""ASGI middleware: per-client fixed-window limits, 429 problem+json with Retry-After when a budget is spent."""

from __future__ import annotations

import time
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.ratelimit.counters import Counter, now_s
from gateway.ratelimit.rules import Budget, budget_of, decide, seconds_left
from skills_shared.auth import TokenVerifier
from skills_shared.middleware import send_problem
from skills_shared.problems import Problem

TOKEN_CACHE_MAX = 10_000


class ClientIdentity:
    """Who a request counts against: the verified token's subject, else the client address.

    A forged or expired token counts against the address, so minting garbage tokens never buys a fresh budget.
    Verified tokens are cached until they expire so the hot path does not re-check signatures.
    """

    def __init__(self, verifier: TokenVerifier, *, trust_forwarded_for: bool) -> None:
        self.verifier = verifier
        self.trust_forwarded_for = trust_forwarded_for
        self._tokens: dict[bytes, tuple[str, float]] = {}

    def address(self, scope: Scope, headers: dict[bytes, bytes]) -> str:
        """The client address (first X-Forwarded-For hop only behind a trusted proxy)."""
        if self.trust_forwarded_for:
            forwarded = headers.get(b"x-forwarded-for")
            if forwarded:
                return forwarded.split(b",")[0].strip().decode("latin-1")
        client = scope.get("client")
        return str(client[0]) if client else "unknown"

    def subject(self, headers: dict[bytes, bytes]) -> str | None:
        """``role:sub`` of a valid bearer token, or None."""
        auth = headers.get(b"authorization")
        if not auth or auth[:7].lower() != b"bearer ":
            return None
        token = auth[7:].strip()
        cached = self._tokens.get(token)
        now = time.time()
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            claims: dict[str, Any] = self.verifier.decode(token.decode("latin-1"))
        except Problem:
            return None
        key = f"{claims.get('role')}:{claims.get('sub')}"
        if len(self._tokens) >= TOKEN_CACHE_MAX:
            self._tokens.clear()
        self._tokens[token] = (key, float(claims.get("exp", now)))
        return key

    def of(self, scope: Scope, budget: Budget) -> str:
        """The counter key of this request within its budget."""
        headers = dict(scope["headers"])
        if budget is Budget.DEFAULT:
            subject = self.subject(headers)
            if subject is not None:
                return f"{budget.value}:s:{subject}"
        return f"{budget.value}:a:{self.address(scope, headers)}"


def too_many(retry_after_s: int, limit: int) -> Problem:
    """The 429 answer, in Chinese since citizens meet it on the public pages."""
    return Problem(
        429,
        "rate_limited",
        f"请求过于频繁，请 {retry_after_s} 秒后再试",
        title="Too many requests",
        headers={
            "Retry-After": str(retry_after_s),
            "RateLimit-Limit": str(limit),
            "RateLimit-Remaining": "0",
        },
    )


class RateLimitMiddleware:
    """Counts every non-exempt request against its client's budget before routing."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        counter: Counter,
        identity: ClientIdentity,
        window_s: int,
        limits: dict[Budget, int],
        enabled: bool = True,
    ) -> None:
        self.app = app
        self.counter = counter
        self.identity = identity
        self.window_s = window_s
        self.limits = limits
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.enabled or scope["type"] != "http" or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        budget = budget_of(scope["path"])
        if budget is None:
            await self.app(scope, receive, send)
            return
        now = now_s()
        count = await self.counter.hit(self.identity.of(scope, budget), self.window_s, now)
        limit = self.limits[budget]
        if count > limit:
            decision = decide(count, limit, seconds_left(now, self.window_s))
            request_id = scope.get("state", {}).get("request_id")
            await send_problem(send, too_many(decision.retry_after_s, decision.limit), request_id)
            return
        await self.app(scope, receive, send)
