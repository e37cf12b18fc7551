"""Which events a partner may receive, and which a subscription asked for: pure rules, no I/O.

The object checks are those of the API: a token scoped to a district sees only that district's objects, one
scoped to a body only that body's; an event that names no district (or body) is outside such a scope.
A subscription's filter narrows further and never widens what the token may see.
"""

from __future__ import annotations

from dataclasses import dataclass

from skills_shared.auth import Principal


@dataclass(frozen=True)
class Scope:
    """What a partner's token may see (None: not limited)."""

    district: str | None = None
    body: str | None = None

    @classmethod
    def of(cls, principal: Principal) -> Scope:
        return cls(district=principal.district, body=principal.body)


@dataclass(frozen=True)
class Filter:
    """What a subscription (or a pull request) asks for (None: any)."""

    types: frozenset[str] | None = None
    district: str | None = None
    body: str | None = None
    policy: str | None = None


@dataclass(frozen=True)
class EventFacts:
    type: str
    district: str | None
    body: str | None
    policy: str | None


def may_see(scope: Scope, event: EventFacts) -> bool:
    """The API's object checks applied to an event."""
    if scope.district is not None and event.district != scope.district:
        return False
    return not (scope.body is not None and event.body != scope.body)


def wanted(filter_: Filter, event: EventFacts) -> bool:
    """The subscription's own filter."""
    if filter_.types is not None and event.type not in filter_.types:
        return False
    if filter_.district is not None and event.district != filter_.district:
        return False
    if filter_.body is not None and event.body != filter_.body:
        return False
    return not (filter_.policy is not None and event.policy != filter_.policy)


def delivers(scope: Scope, filter_: Filter, event: EventFacts) -> bool:
    return may_see(scope, event) and wanted(filter_, event)
