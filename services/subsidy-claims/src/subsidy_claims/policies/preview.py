"""The preview (``POST /v1/policies/{policy}/evaluate``): the decision a claim would get, with the office's own
records of the applicant when the caller may see them, and an answer that says plainly whether it used them.

Submission weighs the applicant's past payments recorded elsewhere (CQ-8 former 鉴定补贴, SH-13 training
subsidies) and this office's claims that hold an entitlement (CQ-6, CQ-7, SH-6, SH-13). A preview that ignored
them approved what submission then refused. The preview reads the same records, with the same statement, for the
applicant themselves and for office roles; anyone else gets the decision on declared facts only, and
``records.consulted`` is false with a note saying so. Nothing is stored either way.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from skills_shared.auth import Principal
from skills_shared.contracts.v1.subsidy import PolicyPreview, RecordsConsulted, SubsidyDecision
from skills_shared.validators import resident_id_birth_date
from subsidy_claims.access import may_see_records_of
from subsidy_claims.claims.facts_builder import claim_facts
from subsidy_claims.claims.repository import ClaimRepository
from subsidy_claims.policies import rules
from subsidy_claims.policies.facts import CertificateFacts, PastSubsidy
from subsidy_claims.policies.repository import PolicyTableRepository

RECORD_RULES = {"cq-eval": "CQ-6、CQ-7、CQ-8", "sh-upgrade": "SH-6、SH-13"}
"""The rules that read the applicant's records, per policy, named in the note."""


def records_note(policy: str, consulted: bool, past: int, claims: int) -> str:
    """What the preview looked at, in Chinese, naming the rules that depend on it."""
    named = RECORD_RULES[policy]
    if consulted:
        return (
            f"已查询本局记录：他处登记的既往补贴{past}条、本局在办或已享受的补贴申请{claims}件，"
            f"{named}已按这些记录和申报的既往补贴判断"
        )
    return (
        f"未查询本局记录（仅本人或经办人员可查询）：{named}仅按申报的既往补贴判断，"
        "提交申请时将按本局记录复核，结果可能不同"
    )


def split_records(prior: list[PastSubsidy]) -> tuple[int, int]:
    """(payments recorded elsewhere, this office's claims) among the applicant's records."""
    own = sum(1 for p in prior if p.source == "subsidy-claims")
    return len(prior) - own, own


async def preview(
    policy: str, body: PolicyPreview, session: AsyncSession, principal: Principal, today: date
) -> SubsidyDecision:
    """Evaluate ``body`` against ``policy`` as submission would, minus the registry check (the certificate counts
    as unverified: CQ-4 / SH-2 say so)."""
    applicant = body.applicant.id_number
    resident_id_birth_date(applicant)
    cert = body.certificate
    certificate = CertificateFacts(
        number=cert.number,
        holder_id_number=applicant,
        holder_name=body.applicant.name,
        occupation_code=cert.occupation_code,
        occupation_name=cert.occupation_name or "",
        work_type=cert.work_type,
        level=cert.level,
        kind=cert.kind,
        issue_date=cert.issue_date,
        province_code=cert.number[5:7],
        verified_by=None,
    )
    consulted = may_see_records_of(principal, applicant)
    prior = await ClaimRepository(session).prior_subsidies(applicant) if consulted else []
    tables = PolicyTableRepository(session)
    stored = body.model_dump(mode="json", include={"cq", "sh", "declared_past_subsidies"})
    facts = claim_facts(
        applied_on=body.applied_on or today,
        applicant_id=applicant,
        stored=stored,
        certificate=certificate,
        prior=prior,
        catalogue_class=await tables.catalogue_class(cert.occupation_code, cert.work_type)
        if body.sh
        else None,
    )
    record = rules.evaluate(policy, facts, await tables.current_cq_table() if body.cq else None)
    past, claims = split_records(prior)
    return SubsidyDecision.model_validate(
        {
            **record.as_dict(),
            "records": RecordsConsulted(
                consulted=consulted,
                past_subsidies=past,
                claims=claims,
                note=records_note(policy, consulted, past, claims),
            ),
        }
    )
