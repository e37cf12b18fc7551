"""Who may see or move a claim, and which district a caller's lists are scoped to: pure checks on the caller and
the claim's owner, creator and district.

Plain functions of a principal and a claim (loaded by the ORM or read by the lean submit path), so every route
applies the same object-level rules whichever unit of work it runs on.
"""

from __future__ import annotations

from skills_shared.auth import Principal, Role
from skills_shared.problems import forbidden
from subsidy_claims.claims.models import Claim

RECORD_READERS = frozenset({Role.CITY_OFFICER, Role.DISTRICT_OFFICER, Role.INSPECTOR, Role.SERVICE})
"""Roles that may look at any applicant's records with this office (past payments, live claims)."""


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


def check_reviewer(principal: Principal, claim: Claim) -> None:
    """Review, publicity and payment moves: a district officer of the claim's district, or a city officer."""
    if principal.role not in (Role.DISTRICT_OFFICER, Role.CITY_OFFICER):
        raise forbidden("仅审核人员可执行此操作", code="forbidden_role")
    principal.require_district(claim.district)


def scope_district(principal: Principal, district_code: str | None) -> str | None:
    """The district a list is limited to: a district officer's own (asking for another is a 403); city roles
    may choose or see all."""
    if principal.role == Role.DISTRICT_OFFICER:
        if district_code is not None and district_code != principal.district:
            raise forbidden("无权处理其他区县的业务", code="forbidden_district")
        return principal.district
    return district_code


def may_see_records_of(principal: Principal, applicant_id_number: str) -> bool:
    """Whether the caller may have an applicant's records with this office weighed in a preview: the applicant
    themselves, or an office role. Anyone else previews on declared facts only (and is told so)."""
    if principal.role in RECORD_READERS:
        return True
    return principal.role == Role.CITIZEN and principal.sub == applicant_id_number
