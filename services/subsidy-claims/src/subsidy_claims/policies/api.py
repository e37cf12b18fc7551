"""Policy routes: versions, a side-effect-free evaluation, and the operator-loaded tables."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path

from skills_shared import audit
from skills_shared.auth import CurrentPrincipal, Principal, Role, require
from skills_shared.db import SessionDep
from skills_shared.problems import Problem, problem_responses
from skills_shared.validators import resident_id_birth_date
from subsidy_claims.claims.facts_builder import claim_facts
from subsidy_claims.deps import TodayDep
from subsidy_claims.policies import rules
from subsidy_claims.policies.facts import CertificateFacts, CertificateKind
from subsidy_claims.policies.repository import PolicyTableRepository
from subsidy_claims.policies.schemas import (
    CatalogueLoadIn,
    CqAmountTableIn,
    DecisionOut,
    EvaluateIn,
    Loaded,
    PolicyVersionOut,
)

router = APIRouter(prefix="/v1/policies", tags=["policies"])
CityOfficer = Depends(require(Role.CITY_OFFICER))


@router.get(
    "", response_model=list[PolicyVersionOut], summary="Policies with their versions and effective dates"
)
async def list_policies() -> list[PolicyVersionOut]:
    return [
        PolicyVersionOut(
            policy=v.policy,
            version=v.version,
            document=v.document,
            effective_from=v.effective_from,
            effective_to=v.effective_to,
        )
        for versions in rules.POLICIES.values()
        for v in versions
    ]


@router.post(
    "/{policy}/evaluate",
    response_model=DecisionOut,
    summary="Evaluate facts against a policy; nothing is stored",
    responses=problem_responses(401, 422),
)
async def evaluate(
    policy: Annotated[Literal["cq-eval", "sh-upgrade"], Path()],
    body: EvaluateIn,
    session: SessionDep,
    today: TodayDep,
    _: CurrentPrincipal,
) -> DecisionOut:
    if policy == "cq-eval" and body.cq is None:
        raise Problem(
            422,
            "validation_failed",
            "cq-eval 须填写 cq 部分",
            errors=[{"loc": ["body", "cq"], "msg": "必填", "type": "missing"}],
        )
    if policy == "sh-upgrade" and body.sh is None:
        raise Problem(
            422,
            "validation_failed",
            "sh-upgrade 须填写 sh 部分",
            errors=[{"loc": ["body", "sh"], "msg": "必填", "type": "missing"}],
        )
    resident_id_birth_date(body.applicant.id_number)
    cert = body.certificate
    certificate = CertificateFacts(
        number=cert.number,
        holder_id_number=body.applicant.id_number,
        holder_name=body.applicant.name,
        occupation_code=cert.occupation_code,
        occupation_name=cert.occupation_name or "",
        work_type=cert.work_type,
        level=cert.level,
        kind=CertificateKind(cert.kind),
        issue_date=cert.issue_date,
        province_code=cert.number[5:7],
        verified_by=None,
    )
    tables = PolicyTableRepository(session)
    stored = body.model_dump(mode="json", include={"cq", "sh", "declared_past_subsidies"})
    facts = claim_facts(
        applied_on=body.applied_on or today,
        applicant_id=body.applicant.id_number,
        stored=stored,
        certificate=certificate,
        prior=[],
        catalogue_class=await tables.catalogue_class(cert.occupation_code, cert.work_type)
        if body.sh
        else None,
    )
    record = rules.evaluate(policy, facts, await tables.current_cq_table() if body.cq else None)
    return DecisionOut(**record.as_dict())


@router.put(
    "/cq-eval/amount-table",
    response_model=Loaded,
    status_code=201,
    summary="Load a version of the CQ-10 amount table (渝人社发〔2024〕13号); the newest is in force",
    responses=problem_responses(401, 403, 409, 422),
)
async def load_cq_table(
    body: CqAmountTableIn, session: SessionDep, principal: Principal = CityOfficer
) -> Loaded:
    keys = [(r.kind, r.level) for r in body.amounts]
    if len(set(keys)) != len(keys):
        raise Problem(
            422,
            "validation_failed",
            "同一证书类别和等级只能有一个金额",
            errors=[{"loc": ["body", "amounts"], "msg": "重复的类别和等级", "type": "duplicate"}],
        )
    rows = [{"kind": r.kind.value, "level": r.level, "amount_fen": r.amount_fen} for r in body.amounts]
    if not await PolicyTableRepository(session).add_cq_table(body.version, rows, principal.key):
        raise Problem(409, "version_exists", f"补贴标准表版本{body.version}已存在", rule="CQ-10")
    await audit.record(
        session,
        actor=principal,
        action="policy.cq_amount_table.load",
        entity_type="policy",
        entity_id="cq-eval",
        after={"version": body.version, "amounts": rows},
    )
    return Loaded(rows=len(rows))


@router.put(
    "/sh-upgrade/catalogue",
    response_model=Loaded,
    summary="Load or update SH-2 catalogue entries (occupation / 工种 → A, B or C)",
    responses=problem_responses(401, 403, 422),
)
async def load_catalogue(
    body: CatalogueLoadIn, session: SessionDep, principal: Principal = CityOfficer
) -> Loaded:
    entries = [(e.occupation_code, e.work_type or "", e.catalogue_class.value) for e in body.entries]
    await PolicyTableRepository(session).upsert_catalogue(entries)
    await audit.record(
        session,
        actor=principal,
        action="policy.sh_catalogue.load",
        entity_type="policy",
        entity_id="sh-upgrade",
        after={"rows": len(entries)},
    )
    return Loaded(rows=len(entries))
