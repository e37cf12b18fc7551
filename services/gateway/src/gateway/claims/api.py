"""Routes of subsidy claims after submission: the applicant and reviewers read, reviewers decide."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from fastapi.responses import Response

from gateway.access import Officer
from gateway.claims.service import ClaimAccess
from gateway.trail import run_audited
from gateway.upstreams import UpstreamsDep
from skills_shared.auth import Principal, Role, require
from skills_shared.idempotency import IdempotencyDep, RequiredIdempotencyDep
from skills_shared.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["subsidies"])

RECORD = {"content": {"application/json": {"schema": {"type": "object"}}}}
Reader = Annotated[
    Principal, Depends(require(Role.CITIZEN, Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.INSPECTOR))
]


@router.get(
    "/claims/{claim_id}",
    summary="One claim with its decision record (its applicant, officers of its district, city roles)",
    responses={
        200: {"description": "The claim (ID masked).", **RECORD},
        **problem_responses(401, 403, 404, 422, 429, 503),
    },
)
async def get_claim(claim_id: uuid.UUID, principal: Reader, upstreams: UpstreamsDep) -> dict[str, Any]:
    return await ClaimAccess(upstreams, principal).get(str(claim_id))


@router.post(
    "/claims/{claim_id}/approve",
    summary="Approve a claim of the officer's district (CQ-4, SH-10); money moves, so the key is required",
    responses={
        200: {"description": "The approved claim.", **RECORD},
        **problem_responses(401, 403, 404, 409, 422, 429, 503),
    },
    response_class=Response,
)
async def approve_claim(
    claim_id: uuid.UUID,
    principal: Officer,
    upstreams: UpstreamsDep,
    idem: RequiredIdempotencyDep,
    decision: Annotated[dict[str, Any], Body(description="amount_fen (cq-eval without a table), note")],
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
    summary="Reject a claim of the officer's district with its reason (CQ-4)",
    responses={
        200: {"description": "The rejected claim.", **RECORD},
        **problem_responses(401, 403, 404, 409, 422, 429, 503),
    },
    response_class=Response,
)
async def reject_claim(
    claim_id: uuid.UUID,
    principal: Officer,
    upstreams: UpstreamsDep,
    idem: IdempotencyDep,
    decision: Annotated[dict[str, Any], Body(description="{'reason': ...}")],
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
