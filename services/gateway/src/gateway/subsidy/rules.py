"""Pure assembly of the subsidy application: what the registry vouched for becomes the claim's certificate.

The registry is asked first, by the citizen's own ID number, so nobody applies with someone else's certificate
and nothing is drafted when the registry cannot answer. Whether the certificate is usable and its holder's name
matches is decided again by subsidy-claims at submission (CQ-4 / SH-2, against the registry's full record); the
two checks here only stop a certain refusal before a draft exists.
"""

from __future__ import annotations

from pydantic import ValidationError

from skills_shared.contracts.v1.gateway import SubsidyApplication
from skills_shared.contracts.v1.registry import CertificateStatus, PublicCertificate
from skills_shared.contracts.v1.subsidy import ClaimApplicant, ClaimDraft, DeclaredCertificate
from skills_shared.problems import FieldError, Problem, forbidden
from skills_shared.reference import CertificateKind

RULE_CQ_CERTIFICATE = "CQ-1"
"""CQ-1: a lawfully obtained certificate — a revoked one is not."""
RULE_SH_QUERYABLE = "SH-2"
"""SH-2: the certificate must be queryable in the registry."""
RULE_CQ_REVIEW = "CQ-4"
"""CQ-4: the certificate's details are checked against the record."""
RULE_BY_POLICY = {"cq-eval": RULE_CQ_CERTIFICATE, "sh-upgrade": RULE_SH_QUERYABLE}


def require_holder_name(public_view: PublicCertificate, holder_name: str) -> None:
    """The registry found the number under the applicant's own ID number; the name typed must be the holder's
    too, so a typo is caught before a claim exists."""
    if public_view.holder_name.strip() != holder_name.strip():
        raise Problem(
            422,
            "holder_name_mismatch",
            "持证人姓名与证书记录不一致",
            title="Validation failed",
            rule=RULE_CQ_REVIEW,
            errors=[
                FieldError(loc=["body", "holder_name"], msg="持证人姓名与证书记录不一致", type="mismatch")
            ],
        )


def require_usable(public_view: PublicCertificate, policy: str) -> None:
    """A revoked certificate never reaches subsidy-claims (CQ-1 / SH-2)."""
    if public_view.status is not CertificateStatus.VALID:
        raise Problem(
            409,
            "certificate_not_valid",
            f"证书当前状态为“{public_view.status.value}”，不能申请补贴",
            title="Certificate not valid",
            rule=RULE_BY_POLICY.get(policy, RULE_CQ_CERTIFICATE),
        )


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
