"""Pure assembly of the 'my things' answer: each part either its items or a marked gap naming the service."""

from __future__ import annotations

from typing import Any

OK = "ok"
UNAVAILABLE = "unavailable"


def part_ok(items: Any) -> dict[str, Any]:
    """A part that arrived."""
    return {"status": OK, "items": items}


def part_unavailable(service: str, reason: str) -> dict[str, Any]:
    """A part that did not arrive in time (or at all): marked, so the answer is partial, not a failure."""
    return {"status": UNAVAILABLE, "service": service, "reason": reason}


def assemble(parts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The whole answer; ``complete`` tells a client at a glance whether any part is missing."""
    return {**parts, "complete": all(part["status"] == OK for part in parts.values())}
