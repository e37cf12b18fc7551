"""Routes of subsidy claims after submission: the applicant and reviewers read, reviewers decide."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from gateway.access import Officer
from gateway.claims.service import ClaimAccess
from gateway.trail import run_audited
from gateway.upstreams import UpstreamsDep
from skills_shared.auth import Principal, Role, require
from skills_shared.contracts.v1.gateway import ClaimApproval, ClaimRejection
from skills_shared.contracts.v1.subsidy import SubsidyClaim
from skills_shared.idempotency import IdempotencyDep, RequiredIdempotencyDep
from skills_shared.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["subsidies"])

Reader = Annotated[
    Principal, Depends(require(Role.CITIZEN, Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.INSPECTOR))
]
MOVE_ERRORS = problem_responses(401, 403, 404, 409, 422, 429, 502, 503)


@router.get(
    "/claims/{claim_id}",
    operation_id="claims.get",
    response_model=SubsidyClaim,
    summary="One claim with its decision record (its applicant, officers of its district, city roles)",
    responses=problem_responses(401, 403, 404, 422, 429, 502, 503),
)
async def get_claim(claim_id: uuid.UUID, principal: Reader, upstreams: UpstreamsDep) -> SubsidyClaim:
    return await ClaimAccess(upstreams, principal).get(str(claim_id))


@router.post(
    "/claims/{claim_id}/approve",
    operation_id="claims.approve",
    response_model=SubsidyClaim,
    summary="Approve a claim of the officer's district (CQ-4, SH-10); money moves, so the key is required",
    responses=MOVE_ERRORS,
)
async def approve_claim(
    claim_id: uuid.UUID,
    decision: ClaimApproval,
    principal: Officer,
    upstreams: UpstreamsDep,
    idem: RequiredIdempotencyDep,
) -> Response:
    access = ClaimAccess(upstreams, principal, idem.key)
    return await run_audited(
        idem,
        principal,
        action="claim.approved",
        entity_type="claim",
        entity_id=lambda r: claim_id,
        call=lambda: access.move(str(claim_id), "approve", decision),
    )


@router.post(
    "/claims/{claim_id}/reject",
    operation_id="claims.reject",
    response_model=SubsidyClaim,
    summary="Reject a claim of the officer's district with its reason (CQ-4)",
    responses=MOVE_ERRORS,
)
async def reject_claim(
    claim_id: uuid.UUID,
    decision: ClaimRejection,
    principal: Officer,
    upstreams: UpstreamsDep,
    idem: IdempotencyDep,
) -> Response:
    access = ClaimAccess(upstreams, principal, idem.key)
    return await run_audited(
        idem,
        principal,
        action="claim.rejected",
        entity_type="claim",
        entity_id=lambda r: claim_id,
        call=lambda: access.move(str(claim_id), "reject", decision),
    )
