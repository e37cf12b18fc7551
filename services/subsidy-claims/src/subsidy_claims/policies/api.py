"""Policy routes: versions, a side-effect-free evaluation (the preview), and the operator-loaded tables."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path

from skills_shared import audit
from skills_shared.auth import CurrentPrincipal, Principal, Role, require
from skills_shared.contracts.v1.pagination import Page, PageDep
from skills_shared.contracts.v1.subsidy import PolicyPreview, SubsidyDecision
from skills_shared.db import SessionDep
from skills_shared.problems import problem_responses
from skills_shared.refusals import Refusal
from subsidy_claims.bulk import refuse_duplicates
from subsidy_claims.claims.service import field_error
from subsidy_claims.deps import TodayDep
from subsidy_claims.policies import rules
from subsidy_claims.policies.preview import preview
from subsidy_claims.policies.repository import PolicyTableRepository
from subsidy_claims.policies.schemas import (
    CqAmountTableLoad,
    PolicyTableLoaded,
    ShCatalogueLoad,
    SubsidyPolicyVersion,
)

router = APIRouter(prefix="/v1/policies", tags=["policies"])
CityOfficer = Depends(require(Role.CITY_OFFICER))


@router.get(
    "",
    response_model=Page[SubsidyPolicyVersion],
    operation_id="policies.list",
    summary="Policies with their versions and effective dates",
    responses=problem_responses(422),
)
async def list_policies(page: PageDep) -> Page[SubsidyPolicyVersion]:
    versions = [
        SubsidyPolicyVersion(
            policy=v.policy,
            version=v.version,
            document=v.document,
            effective_from=v.effective_from,
            effective_to=v.effective_to,
        )
        for versions in rules.POLICIES.values()
        for v in versions
    ]
    return page.wrap(versions[page.offset : page.offset + page.limit], len(versions))


@router.post(
    "/{policy}/evaluate",
    response_model=SubsidyDecision,
    operation_id="policies.evaluate",
    summary="Preview: evaluate facts against a policy, with the applicant's records when the caller may see them; "
    "nothing is stored",
    responses=problem_responses(401, 422),
)
async def evaluate(
    policy: Annotated[Literal["cq-eval", "sh-upgrade"], Path(description="The policy to evaluate against.")],
    body: PolicyPreview,
    session: SessionDep,
    today: TodayDep,
    principal: CurrentPrincipal,
) -> SubsidyDecision:
    if policy == "cq-eval" and body.cq is None:
        raise field_error(["body", "cq"], "cq-eval 须填写 cq 部分", "missing")
    if policy == "sh-upgrade" and body.sh is None:
        raise field_error(["body", "sh"], "sh-upgrade 须填写 sh 部分", "missing")
    return await preview(policy, body, session, principal, today)


@router.put(
    "/cq-eval/amount-table",
    response_model=PolicyTableLoaded,
    status_code=201,
    operation_id="policies.load_cq_amount_table",
    summary="Load a version of the CQ-10 amount table (渝人社发〔2024〕13号); the newest is in force",
    responses=problem_responses(401, 403, 409, 422),
)
async def load_cq_table(
    body: CqAmountTableLoad, session: SessionDep, principal: Principal = CityOfficer
) -> PolicyTableLoaded:
    refuse_duplicates(
        body.amounts, lambda r: (r.kind, r.level), field="amounts", what_zh="证书类别和等级", rule="CQ-10"
    )
    rows = [{"kind": r.kind.value, "level": r.level, "amount_fen": r.amount_fen} for r in body.amounts]
    if not await PolicyTableRepository(session).add_cq_table(body.version, rows, principal.key):
        raise Refusal(
            "CQ-10",
            "version_exists",
            f"补贴标准表版本{body.version}已存在；版本一经加载不能修改，请使用新的版本名称",
            field=("body", "version"),
            status=409,
        )
    await audit.record(
        session,
        actor=principal,
        action="policy.cq_amount_table.load",
        entity_type="policy",
        entity_id="cq-eval",
        after={"version": body.version, "amounts": rows},
    )
    return PolicyTableLoaded(rows=len(rows))


@router.put(
    "/sh-upgrade/catalogue",
    response_model=PolicyTableLoaded,
    operation_id="policies.load_sh_catalogue",
    summary="Load or update SH-2 catalogue entries (occupation / 工种 → A, B or C)",
    responses=problem_responses(401, 403, 422),
)
async def load_catalogue(
    body: ShCatalogueLoad, session: SessionDep, principal: Principal = CityOfficer
) -> PolicyTableLoaded:
    entries = [(e.occupation_code, e.work_type or "", e.catalogue_class.value) for e in body.entries]
    refuse_duplicates(entries, lambda e: (e[0], e[1]), field="entries", what_zh="职业（工种）", rule="SH-2")
    await PolicyTableRepository(session).upsert_catalogue(entries)
    await audit.record(
        session,
        actor=principal,
        action="policy.sh_catalogue.load",
        entity_type="policy",
        entity_id="sh-upgrade",
        after={"rows": len(entries)},
    )
    return PolicyTableLoaded(rows=len(entries))
