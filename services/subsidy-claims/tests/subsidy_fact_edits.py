"""Test scaffolding: a policy table case reads as base facts plus the edits its clause is about."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from subsidy_claims.policies.facts import ClaimFacts, PastSubsidy

Edit = Callable[[ClaimFacts], ClaimFacts]


def cert(**changes: object) -> Edit:
    """Change fields of the certificate."""
    return lambda f: replace(f, certificate=replace(f.certificate, **changes))  # type: ignore[arg-type]


def cq(**changes: object) -> Edit:
    """Change the Chongqing-specific facts (which must be present)."""

    def apply(f: ClaimFacts) -> ClaimFacts:
        if f.cq is None:
            raise ValueError("these facts carry no Chongqing part")
        return replace(f, cq=replace(f.cq, **changes))  # type: ignore[arg-type]

    return apply


def sh(**changes: object) -> Edit:
    """Change the Shanghai-specific facts (which must be present)."""

    def apply(f: ClaimFacts) -> ClaimFacts:
        if f.sh is None:
            raise ValueError("these facts carry no Shanghai part")
        return replace(f, sh=replace(f.sh, **changes))  # type: ignore[arg-type]

    return apply


def facts(**changes: object) -> Edit:
    """Change top-level facts."""
    return lambda f: replace(f, **changes)  # type: ignore[arg-type]


def prior(*subsidies: PastSubsidy) -> Edit:
    """Replace the person's past subsidies."""
    return lambda f: replace(f, prior_subsidies=subsidies)


def both(*edits: Edit) -> Edit:
    """Apply several edits in order."""

    def apply(f: ClaimFacts) -> ClaimFacts:
        for edit in edits:
            f = edit(f)
        return f

    return apply
