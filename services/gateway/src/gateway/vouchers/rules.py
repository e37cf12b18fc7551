"""Pure checks of the redeem workflow: the institution may redeem (V-5, V-6) and the class is its own."""

from __future__ import annotations

from typing import Any

from skills_shared.problems import Problem, forbidden

RULE_USE = "V-5"
RULE_INSTITUTION = "V-6"
ACTIVE = "active"


def require_redeeming_institution(institution: dict[str, Any]) -> None:
    """Only an active institution redeems (V-6); a suspended or closed one is refused before the voucher moves."""
    status = str(institution.get("status", ""))
    if status != ACTIVE:
        raise Problem(
            409,
            "institution_not_active",
            f"培训机构当前状态为“{status}”，不能核销培训券",
            title="Institution not active",
            rule=RULE_INSTITUTION,
        )


def require_own_class(institution_code: str, training_class: dict[str, Any]) -> None:
    """A voucher is redeemed into a class of the scanning institution, never another's (V-5)."""
    if str(training_class.get("institution_code")) != institution_code:
        raise forbidden("该培训班不属于本机构", code="forbidden_institution", rule=RULE_USE)
