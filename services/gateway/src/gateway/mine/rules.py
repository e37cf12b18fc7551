"""Pure assembly of the 'my things' answer: each part either its items or a marked gap naming the service."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from skills_shared.contracts.v1.gateway import Part, PartStatus

T = TypeVar("T")


def part_ok(items: Sequence[T]) -> Part[Any]:
    """A part that arrived."""
    return Part[Any](status=PartStatus.OK, items=list(items))


def part_unavailable(service: str, reason: str) -> Part[Any]:
    """A part that did not arrive in time (or at all): marked, so the answer is partial, not a failure."""
    return Part[Any](status=PartStatus.UNAVAILABLE, service=service, reason=reason)


def complete(*parts: Part[Any]) -> bool:
    """Whether every part arrived: a client tells at a glance whether anything is missing."""
    return all(part.status is PartStatus.OK for part in parts)
