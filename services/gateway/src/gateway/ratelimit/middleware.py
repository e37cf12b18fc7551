"""ASGI middleware: per-client fixed-window limits, 429 problem+json with Retry-After when a budget is spent."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.ratelimit.counters import Limiter
from gateway.ratelimit.rules import INTERNAL_PREFIX, Budget, budget_of, internal_call_exempt
from skills_shared.auth import MAX_TOKEN_BYTES, TokenVerifier
from skills_shared.clients import bind_caller
from skills_shared.metrics import RATE_LIMITED
from skills_shared.middleware import send_problem
from skills_shared.problems import Problem


class ClientIdentity:
    """Who a request counts against: the verified token's subject, else the client address.

    The address is the peer of the connection as the app sees it: a proxy listed in ``SKILLS_TRUSTED_PROXIES``
    has already been replaced by its ``X-Forwarded-For`` client (`skills_shared.app`, the one place forwarded
    headers are trusted); any other peer's ``X-Forwarded-For`` is ignored, so forging it buys nothing.

    A forged, oversized or expired token counts against the address, so minting garbage tokens never buys a fresh
    budget. Verification goes through the app's `TokenVerifier`, whose bounded cache remembers good tokens.
    """

    def __init__(self, verifier: TokenVerifier) -> None:
        self.verifier = verifier

    @staticmethod
    def address(scope: Scope) -> str:
        """The client address of the connection (after the trusted-proxy rewrite, if any)."""
        client = scope.get("client")
        return str(client[0]) if client else "unknown"

    async def subject(self, scope: Scope) -> str | None:
        """``role:sub`` of a valid bearer token, or None."""
        auth: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                auth = value
                break
        if not auth or auth[:7].lower() != b"bearer " or len(auth) > MAX_TOKEN_BYTES + 7:
            return None
        try:
            principal = await self.verifier.verify(auth[7:].strip().decode("latin-1"))
        except Problem:
            return None
        return principal.key

    async def of(self, scope: Scope, budget: Budget) -> str:
        """The counter key of this request within its budget."""
        if budget is Budget.DEFAULT:
            subject = await self.subject(scope)
            if subject is not None:
                return f"{budget.value}:s:{subject}"
        return f"{budget.value}:a:{self.address(scope)}"


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
        limiter: Limiter,
        identity: ClientIdentity,
        window_s: int,
        limits: dict[Budget, int],
        enabled: bool = True,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.identity = identity
        self.window_s = window_s
        self.limits = limits
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Bind the caller for the bulkheads, then count it, when limits are on. The caller is bound with the
        limits off as well: otherwise every upstream call would share the anonymous caller's bulkheads (eight
        claim writes for everyone together) the moment an operator turned the limiter off."""
        if scope["type"] != "http" or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        budget = budget_of(scope["path"])
        if budget is None or (
            scope["path"].startswith(INTERNAL_PREFIX)
            and internal_call_exempt(scope["path"], await self.identity.subject(scope))
        ):
            await self.app(scope, receive, send)
            return
        key = await self.identity.of(scope, budget)
        bind_caller(key)  # the same identity fills the per-caller bulkheads of every upstream call
        if not self.enabled:
            await self.app(scope, receive, send)
            return
        hit = await self.limiter.hit(key, self.limits[budget], self.window_s)
        if not hit.allowed:
            RATE_LIMITED.labels(budget.value).inc()
            request_id = scope.get("state", {}).get("request_id")
            await send_problem(send, too_many(hit.retry_after_s, hit.limit), request_id)
            return
        await self.app(scope, receive, send)
