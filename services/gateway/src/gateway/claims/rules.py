"""Object-level checks on a subsidy claim seen through the gateway (the service checks again)."""

from __future__ import annotations

from skills_shared.auth import Principal, Role
from skills_shared.contracts.v1.subsidy import SubsidyClaim
from skills_shared.problems import forbidden
from skills_shared.validators import mask_resident_id

RULE_REVIEWING_DISTRICT_CQ = "CQ-3"
"""CQ-3/CQ-4: the district where the evaluation took place reviews a Chongqing claim."""
RULE_REVIEWING_DISTRICT_SH = "SH-10"
"""SH-10: the district named by the applicant's situation reviews a Shanghai claim."""


def require_claim_access(principal: Principal, claim: SubsidyClaim) -> None:
    """A district officer sees only claims of their district; a citizen only their own; city roles all.

    The claim carries the applicant's masked ID only, so for a citizen the masks are compared: different masks
    prove a different person; equal masks are then confirmed by subsidy-claims, which holds the full number.
    """
    if principal.role is Role.DISTRICT_OFFICER:
        rule = RULE_REVIEWING_DISTRICT_SH if claim.policy == "sh-upgrade" else RULE_REVIEWING_DISTRICT_CQ
        if claim.district_code != principal.district:
            raise forbidden("无权处理其他区县的业务", code="forbidden_district", rule=rule)
        return
    if principal.role is Role.CITIZEN:
        if mask_resident_id(principal.sub) != claim.applicant_id_masked:
            raise forbidden("只能查看本人的信息", code="forbidden_subject")
        return
    if principal.role not in (Role.CITY_OFFICER, Role.INSPECTOR):
        raise forbidden(f"角色 {principal.role.value} 无权查看补贴申请", code="forbidden_role")
