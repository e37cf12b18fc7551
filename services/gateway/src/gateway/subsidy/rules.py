"""Pure assembly of the subsidy application: what the registry showed becomes the claim's certificate.

The registry is asked first, by the citizen's own ID number, so nobody applies with someone else's certificate
and nothing is drafted when the registry cannot answer. Whether the certificate is usable (CQ-1 / SH-2) and its
holder is the applicant by name (CQ-4) is subsidy-claims' to decide, at submission, against the registry's full
record: its refusal comes back unchanged, the same as when the claim is submitted through the relay.
"""

from __future__ import annotations

from pydantic import ValidationError

from skills_shared.contracts.v1.gateway import SubsidyApplication
from skills_shared.contracts.v1.registry import PublicCertificate
from skills_shared.contracts.v1.subsidy import ClaimApplicant, ClaimDraft, DeclaredCertificate
from skills_shared.problems import forbidden
from skills_shared.reference import CertificateKind


def declared_certificate(public_view: PublicCertificate) -> DeclaredCertificate:
    """The certificate as the registry showed it; the registry issues 职业技能等级证书 only (CR-1)."""
    work_type = public_view.work_type
    return DeclaredCertificate(
        number=public_view.number,
        occupation_code=public_view.occupation_code,
        occupation_name=public_view.occupation_name,
        work_type=None if work_type in (None, "", "——") else work_type,
        level=public_view.level,
        kind=CertificateKind.SKILL_LEVEL,
        issue_date=public_view.issue_date,
    )


def claim_draft(data: SubsidyApplication, applicant_id: str, certificate: DeclaredCertificate) -> ClaimDraft:
    """The draft subsidy-claims receives: the applicant from the token, the certificate from the registry."""
    try:
        applicant = ClaimApplicant(id_number=applicant_id, name=data.holder_name)
    except ValidationError as exc:
        raise forbidden("令牌中的身份不是有效的公民身份号码，不能申请补贴", code="forbidden_subject") from exc
    return ClaimDraft(
        policy=data.policy,
        applicant=applicant,
        certificate=certificate,
        cq=data.cq,
        sh=data.sh,
        payout=data.payout,
        declared_past_subsidies=data.declared_past_subsidies,
    )
