"""Domain rule violations, raised by pure rules and turned into problem+json at the service edge."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(eq=False)
class RuleViolation(Exception):
    """A business rule said no.

    Pure rules must not depend on the web layer, so they raise this plain exception; the service layer
    converts it into a `skills_shared.problems.Problem` carrying the same status, code, detail and rule ID.
    """

    status: int
    code: str
    detail: str
    rule: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"
