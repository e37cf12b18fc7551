"""Rule verdicts: the shape every pure rule reports its decision in, named by its DOMAIN.md ID."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Outcome = Literal["pass", "fail", "exempt", "undetermined"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """One rule's decision, so every refusal can be traced to the clause that made it."""

    rule: str
    check: str
    outcome: Outcome
    detail: str

    @property
    def failed(self) -> bool:
        return self.outcome == "fail"


def any_failed(verdicts: list[Verdict]) -> bool:
    """True when at least one verdict refuses; 'undetermined' is left to the officer's judgement."""
    return any(v.failed for v in verdicts)
