"""Who may see or move a claim: pure checks on the caller and the claim's owner, creator and district.

Plain functions of a principal and a claim (loaded by the ORM or read by the lean submit path), so every route
applies the same object-level rules whichever unit of work it runs on.
"""

from __future__ import annotations

from skills_shared.auth import Principal, Role
from skills_shared.problems import forbidden
from subsidy_claims.claims.models import Claim


def check_may_read(principal: Principal, claim: Claim) -> None:
    """Applicants see their own claims, district officers their district's (or the counter drafts they made)."""
    if principal.role in (Role.CITY_OFFICER, Role.INSPECTOR, Role.SERVICE):
        return
    if principal.role == Role.CITIZEN:
        principal.require_subject(claim.applicant_id_number)
        return
    if principal.role == Role.DISTRICT_OFFICER:
        if claim.district is None and claim.created_by == principal.key:
            return
        principal.require_district(claim.district)
        return
    raise forbidden("无权查看该申请")


def check_applicant(principal: Principal, claim: Claim) -> None:
    """The applicant's own moves (submit, resubmit): the applicant, the claim's creator, or a service."""
    if principal.role == Role.SERVICE or claim.created_by == principal.key:
        return
    principal.require_subject(claim.applicant_id_number)
