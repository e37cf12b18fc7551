"""Fixed-window arithmetic and budget classification of the rate limiter."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.ratelimit.rules import Budget, budget_of, decide, seconds_left, window_index


@pytest.mark.parametrize(
    ("path", "budget"),
    [
        ("/api/v1/certificates/S000050050001253000001", Budget.PUBLIC),
        ("/verify", Budget.PUBLIC),
        ("/api/v1/registry/certificates/S000050050001253000001", Budget.PUBLIC),
        ("/api/v1/registry/certificates/S000050050001253000001/verification", Budget.PUBLIC),
        ("/api/v1/certificate-numbers/S000050050001253000001", Budget.PUBLIC),
        ("/api/v1/calendar/working-days", Budget.PUBLIC),
        ("/api/v1/registry/certificates/S000050050001253000001/document.pdf", Budget.DEFAULT),
        ("/api/v1/registry/certificates/S000050050001253000001/revocation", Budget.DEFAULT),
        ("/api/v1/registry/certificates/", Budget.DEFAULT),
        ("/api/v1/voucher/targets", Budget.DEFAULT),
        ("/api/v1/subsidy-applications", Budget.DEFAULT),
        ("/api/v1/me", Budget.DEFAULT),
        ("/openapi.json", Budget.DEFAULT),
        ("/healthz", None),
        ("/readyz", None),
        ("/metrics", None),
    ],
)
def test_budget_of_path(path: str, budget: Budget | None) -> None:
    assert budget_of(path) == budget


@pytest.mark.parametrize(
    ("count", "limit", "allowed", "remaining"),
    [(1, 1, True, 0), (2, 1, False, 0), (1, 5, True, 4), (5, 5, True, 0), (6, 5, False, 0)],
)
def test_decide_table(count: int, limit: int, allowed: bool, remaining: int) -> None:
    decision = decide(count, limit, 7)
    assert (decision.allowed, decision.remaining, decision.retry_after_s) == (allowed, remaining, 7)


@pytest.mark.parametrize(
    ("now", "window", "left"), [(0.0, 60, 60), (59.2, 60, 1), (60.0, 60, 60), (125.5, 60, 55), (9.999, 10, 1)]
)
def test_seconds_left_table(now: float, window: int, left: int) -> None:
    assert seconds_left(now, window) == left


@given(now=st.floats(min_value=0, max_value=4e9, allow_nan=False), window=st.integers(1, 3600))
def test_retry_after_lands_in_the_next_window(now: float, window: int) -> None:
    left = seconds_left(now, window)
    assert 1 <= left <= window
    assert window_index(now + left, window) > window_index(now, window)


@given(limit=st.integers(1, 1000), count=st.integers(1, 2000))
def test_exactly_limit_requests_pass(limit: int, count: int) -> None:
    assert decide(count, limit, 1).allowed is (count <= limit)


@pytest.mark.parametrize("enabled", [True, False])
async def test_each_caller_is_bound_for_the_bulkheads_with_limits_on_or_off(enabled: bool) -> None:
    """The bulkheads of upstream calls are per caller whether or not requests are counted: with the limiter off,
    two clients must not share the anonymous caller's bulkheads."""
    from typing import Any

    from gateway.ratelimit.counters import Limiter
    from gateway.ratelimit.middleware import ClientIdentity, RateLimitMiddleware
    from skills_shared.auth import TokenVerifier
    from skills_shared.clients import current_caller

    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(current_caller())

    limiter = Limiter(None)
    middleware = RateLimitMiddleware(
        app,
        limiter=limiter,
        identity=ClientIdentity(TokenVerifier("x" * 32, audience="skills", issuer="skills")),
        window_s=60,
        limits={b: 1_000 for b in Budget},
        enabled=enabled,
    )
    for address in ("10.0.0.1", "10.0.0.2"):
        scope = {
            "type": "http",
            "method": "GET",
            "path": "/api/v1/certificates/S000050050001253000001",
            "headers": [],
            "client": (address, 1234),
        }
        await middleware(scope, None, None)
    await limiter.aclose()
    assert seen == ["public:a:10.0.0.1", "public:a:10.0.0.2"]
