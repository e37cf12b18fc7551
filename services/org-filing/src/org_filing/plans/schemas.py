"""Wire shapes of an evaluation batch plan (OF-5; seed 001 二(四)1: what, when, where, how, who)."""

from __future__ import annotations

from pydantic import ConfigDict

from org_filing.common_schemas import Strict, Text
from skills_shared.contracts.v1.org_filing import FilingPlan, FilingPlanPerson, PlanFiling, PlanPerson

PlanPersonIn = PlanPerson
PlanIn = PlanFiling
"""A batch plan as a body files it is org-filing's v1 contract; the gateway takes exactly the same body."""


MaskedPerson = FilingPlanPerson
PlanOut = FilingPlan
"""A filed plan as answered is org-filing's v1 contract (``skills_shared.contracts.v1.org_filing``)."""


class WithdrawIn(Strict):
    """Why the body withdraws its plan (kept in the audit trail)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "考点场地调整，另行报备"}]}
    )

    reason: Text
