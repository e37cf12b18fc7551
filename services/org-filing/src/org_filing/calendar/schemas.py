"""Answers of the public working-day calendar (P-1 periods, P-2 deadlines), each with the years it can answer for.

The models are the provider's contract (``skills_shared.contracts.v1.org_filing``), which the gateway reads too.
"""

from __future__ import annotations

from skills_shared.contracts.v1.org_filing import DeadlineOut, WorkingDaysOut

__all__ = ["DeadlineOut", "WorkingDaysOut"]
