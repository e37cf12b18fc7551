"""Pure rules of submitting a claim: what a refusal looks like, which guard names which rule, what changes.

No I/O here: the lean submit path (`claims/submit.py`) reads and writes, these functions decide. Database
constraint names map to the same problems whichever driver reported them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from skills_shared.refusals import Refusal
from skills_shared.validators import mask_resident_id
from subsidy_claims.claims import rules
from subsidy_claims.claims.models import Claim
from subsidy_claims.claims.registry import Declared
from subsidy_claims.claims.rules import ClaimStatus
from subsidy_claims.policies.decision import DecisionRecord, Outcome
from subsidy_claims.policies.facts import CertificateFacts, ShGroup

DOUBLE_PAYMENT_RULES = frozenset({"CQ-6", "CQ-7", "CQ-8", "SH-6", "SH-13"})
CONSTRAINT_RULES = {
    "uq_claims_live_certificate": ("certificate_already_claimed", None, "该证书已有在办或已享受的补贴申请"),
    "uq_claims_live_level": ("already_subsidised", "CQ-7/SH-6", "同一职业（工种）同一等级不得重复享受补贴"),
    "ck_yearly_counts_sh13_yearly_cap": ("yearly_cap_reached", "SH-13", "本年度补贴次数已达上限"),
    "ck_yearly_counts_sh13_in_service_cap": (
        "yearly_cap_reached",
        "SH-13",
        "本年度已以在职人员身份享受过补贴",
    ),
}
"""The database's own double-payment guards, by constraint name: code, rule and message of the 409."""


def constraint_problem(name: str | None) -> Refusal:
    """The 409 for a constraint the database enforced (a simultaneous claim won the race)."""
    code, rule, detail = CONSTRAINT_RULES.get(name or "", ("conflict", None, "与已有补贴申请冲突"))
    return Refusal(rule, code, detail, status=409)


def registry_rule(policy: str) -> str:
    """The rule that makes the registry check: CQ-4 for Chongqing, SH-2 for Shanghai."""
    return "CQ-4" if policy == "cq-eval" else "SH-2"


def declared(claim: Claim) -> Declared:
    """The applicant's account of the certificate, as the draft holds it, for the CQ-4 / SH-2 comparison."""
    return Declared(
        number=claim.certificate_number,
        holder_id_number=claim.applicant_id_number,
        holder_name=claim.applicant_name,
        occupation_code=claim.occupation_code,
        work_type=claim.work_type,
        level=claim.level,
        kind=claim.certificate_kind,
        issue_date=claim.certificate_issue_date,
    )


def refusal(record: DecisionRecord) -> Refusal | None:
    """An ineligible decision refuses the submit: 409 naming a double-payment rule if one failed, else 422."""
    if record.outcome is not Outcome.INELIGIBLE:
        return None
    failed = record.failed_rules()
    double = [r for r in failed if r in DOUBLE_PAYMENT_RULES]
    first = double[0] if double else failed[0]
    reason = next(r.reason for r in record.results if r.rule == first)
    return Refusal(
        first,
        "already_subsidised" if double else "claim_ineligible",
        f"不符合补贴条件：{reason}",
        status=409 if double else 422,
        title="Claim not eligible",
        extra={"decision": record.as_dict()},
    )


def level_taken(policy: str) -> Refusal:
    """CQ-7 / SH-6: the ledger row holds the same or a higher level already."""
    return Refusal(
        "CQ-7" if policy == "cq-eval" else "SH-6",
        "already_subsidised",
        "同一职业（工种）同级或更低等级不得重复享受补贴；取得更高等级证书后可再申请",
        status=409,
    )


def family_taken() -> Refusal:
    """CQ-6: another 工种 of the occupation family holds the family's ledger row."""
    return Refusal("CQ-6", "already_subsidised", "同一职业下只可享受一个工种的补贴", status=409)


def yearly_cap_reached() -> Refusal:
    """SH-13: the (person, year) counter refused one more claim."""
    return Refusal("SH-13", "yearly_cap_reached", "本年度补贴次数已达上限，下一年度可再申请", status=409)


def sh13_standing(facts: dict[str, Any]) -> tuple[bool, bool]:
    """SH-13: whether a Shanghai claim counts as in-service, and whether as a secondary-school student."""
    group = ShGroup(facts["sh"]["group"]["value"])
    return group in (ShGroup.IN_SERVICE, ShGroup.ELDER_DOMESTIC), group is ShGroup.SECONDARY_STUDENT


def certificate_fact(cert: CertificateFacts) -> dict[str, Any]:
    """The certificate as the registry showed it at submission, kept with the claim as a verified fact."""
    return {
        "provenance": "verified",
        "source": cert.verified_by,
        "value": {
            "number": cert.number,
            "holder_id_masked": mask_resident_id(cert.holder_id_number),
            "holder_name": cert.holder_name,
            "occupation_code": cert.occupation_code,
            "occupation_name": cert.occupation_name,
            "work_type": cert.work_type,
            "level": cert.level,
            "kind": cert.kind.value,
            "issue_date": cert.issue_date.isoformat(),
            "obtained_via": cert.obtained_via.value,
        },
    }


def apply_decision(claim: Claim, record: DecisionRecord) -> None:
    """The decision record and what follows from it: version, outcome, reviewing district, amount, SH-12 split."""
    claim.policy_version = record.policy_version
    claim.decision = record.as_dict()
    claim.outcome = record.outcome.value
    claim.district = record.district_code
    claim.amount_fen = record.amount.amount_fen if record.amount else None
    if record.funding is not None:
        claim.city_share_fen = record.funding.city_fen
        claim.district_share_fen = record.funding.district_fen


def apply_submission(
    claim: Claim,
    target: ClaimStatus,
    certificate: CertificateFacts,
    record: DecisionRecord,
    today: date,
    now: datetime,
) -> None:
    """Everything a successful submit changes on the claim; CQ-4 starts the review clock for Chongqing."""
    claim.status = target.value
    claim.occupation_name = certificate.occupation_name or claim.occupation_name
    claim.facts = {**claim.facts, "certificate": certificate_fact(certificate)}
    apply_decision(claim, record)
    claim.submitted_on = today
    claim.submitted_at = now
    claim.review_started_on = today if claim.policy == "cq-eval" else None
    claim.review_due_on = rules.safe_review_due_on(today) if claim.policy == "cq-eval" else None
