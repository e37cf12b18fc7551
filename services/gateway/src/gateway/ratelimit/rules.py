"""Pure rate-limit arithmetic (fixed windows) and the classification of requests into budgets."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

PUBLIC_PREFIXES: tuple[str, ...] = (
    "/api/v1/certificates/",
    "/verify",
    "/api/v1/certificate-numbers/",
    "/api/v1/calendar/",
)
"""Anonymous routes (CR-6 public query, the verify page, the number decode, the working-day calendar): the stricter
budget, since they invite scraping."""

RELAYED_LOOKUP_PREFIX = "/api/v1/registry/certificates/"
"""The same public look-up reached through the relay (``{number}``, ``{number}/verification``): the same budget,
or the relay would be the way around it. The registry's other certificate routes need a token and keep the
default budget."""

EXEMPT_PATHS: frozenset[str] = frozenset({"/healthz", "/readyz", "/metrics"})
"""Probes and scrapes from the platform: never limited, or an orchestrator would kill a busy gateway."""


INTERNAL_PREFIX = "/internal/"
"""Service-to-service routes (the services' partner events): a caller proven to be a suite service is not
limited there, or a busy hour's events would be throttled by the budget meant for people; anyone else draws
from the default budget like any request."""


def internal_call_exempt(path: str, subject: str | None) -> bool:
    """True for a suite service (``service:…`` subject) calling an internal route."""
    return path.startswith(INTERNAL_PREFIX) and subject is not None and subject.startswith("service:")


class Budget(StrEnum):
    """Which counter a request draws from."""

    PUBLIC = "public"
    DEFAULT = "default"


def budget_of(path: str) -> Budget | None:
    """The budget a path draws from; None for exempt paths."""
    if path in EXEMPT_PATHS:
        return None
    if path.startswith(PUBLIC_PREFIXES):
        return Budget.PUBLIC
    if path.startswith(RELAYED_LOOKUP_PREFIX):
        rest = path[len(RELAYED_LOOKUP_PREFIX) :]
        number, _, tail = rest.partition("/")
        if number and tail in ("", "verification"):
            return Budget.PUBLIC
    return Budget.DEFAULT


def window_index(now_s: float, window_s: int) -> int:
    """Number of the fixed window that contains ``now_s``."""
    return int(now_s // window_s)


def seconds_left(now_s: float, window_s: int) -> int:
    """Whole seconds (≥ 1) until the window containing ``now_s`` ends: the honest Retry-After."""
    end = (window_index(now_s, window_s) + 1) * window_s
    return max(1, math.ceil(end - now_s))


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether one request may pass, with the figures a client needs to back off politely."""

    allowed: bool
    limit: int
    remaining: int
    retry_after_s: int


def decide(count: int, limit: int, retry_after_s: int) -> Decision:
    """``count`` is this request's position in its window (1 for the first): allowed while ≤ ``limit``."""
    return Decision(
        allowed=count <= limit,
        limit=limit,
        remaining=max(0, limit - count),
        retry_after_s=retry_after_s,
    )
