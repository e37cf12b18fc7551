"""Pure rules of the subsidy application workflow: what the registry's answer must show before a claim is sent."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from skills_shared.problems import FieldError, Problem
from skills_shared.reference import CertificateKind

RULE_CQ_CERTIFICATE = "CQ-1"
"""CQ-1: a lawfully obtained certificate — a revoked one is not."""
RULE_SH_QUERYABLE = "SH-2"
"""SH-2: the certificate must be queryable in the registry."""
RULE_CQ_REVIEW = "CQ-4"
"""CQ-4: the certificate's details are checked against the record."""
RULE_BY_POLICY = {"cq-eval": RULE_CQ_CERTIFICATE, "sh-upgrade": RULE_SH_QUERYABLE}

VALID_STATUS = "valid"


class VerifiedCertificate(BaseModel):
    """The facts the registry vouched for; they go to subsidy-claims marked as verified by the registry."""

    number: str
    occupation_code: str
    occupation_name: str | None = None
    work_type: str | None = None
    level: int | None = None
    kind: CertificateKind
    issue_date: date
    status: str


def verified_from_registry(public_view: dict[str, Any]) -> VerifiedCertificate:
    """Read the registry's public answer. The registry issues skill-level certificates (CR-1 carries a level);
    a certificate without a level is a special-ability one."""
    level = public_view.get("level")
    kind_raw = public_view.get("kind") or (
        CertificateKind.SKILL_LEVEL.value if level else CertificateKind.SPECIAL_ABILITY.value
    )
    work_type = public_view.get("work_type")
    return VerifiedCertificate(
        number=str(public_view["number"]),
        occupation_code=str(public_view["occupation_code"]),
        occupation_name=public_view.get("occupation_name"),
        work_type=None if work_type in (None, "", "——") else str(work_type),
        level=int(level) if level else None,
        kind=CertificateKind(kind_raw),
        issue_date=date.fromisoformat(str(public_view["issue_date"])),
        status=str(public_view.get("status", "")),
    )


def require_holder_name(public_view: dict[str, Any], holder_name: str) -> None:
    """The registry found the number under the applicant's own ID number; the name typed must be the holder's
    too (CQ-4 checks the certificate against the record), so a typo is caught before a claim exists."""
    if str(public_view.get("holder_name", "")).strip() != holder_name.strip():
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


def require_usable(certificate: VerifiedCertificate, policy: str) -> None:
    """A revoked (or otherwise not valid) certificate never reaches subsidy-claims (CQ-1 / SH-2)."""
    if certificate.status != VALID_STATUS:
        raise Problem(
            409,
            "certificate_not_valid",
            f"证书当前状态为“{certificate.status}”，不能申请补贴",
            title="Certificate not valid",
            rule=RULE_BY_POLICY.get(policy, RULE_CQ_CERTIFICATE),
        )


def claim_payload(
    *,
    policy: str,
    applicant_id: str,
    applicant_name: str,
    certificate: VerifiedCertificate,
    facts: dict[str, Any],
) -> dict[str, Any]:
    """The draft subsidy-claims receives: the applicant from the token, the certificate from the registry."""
    cert: dict[str, Any] = {
        "number": certificate.number,
        "occupation_code": certificate.occupation_code,
        "kind": certificate.kind.value,
        "issue_date": certificate.issue_date.isoformat(),
    }
    if certificate.occupation_name:
        cert["occupation_name"] = certificate.occupation_name
    if certificate.work_type:
        cert["work_type"] = certificate.work_type
    if certificate.level is not None:
        cert["level"] = certificate.level
    return {
        **facts,
        "policy": policy,
        "applicant": {"id_number": applicant_id, "name": applicant_name},
        "certificate": cert,
    }
