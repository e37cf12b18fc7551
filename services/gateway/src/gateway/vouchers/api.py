"""Routes of the voucher workflows: citizens claim, institution staff redeem."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from gateway.access import Citizen, Redeemer
from gateway.trail import run_audited
from gateway.upstreams import UpstreamsDep
from gateway.vouchers.service import VoucherWorkflow
from skills_shared.contracts.v1.gateway import RedemptionRequest, VoucherClaimRequest
from skills_shared.contracts.v1.voucher import QrTokenV1, RedemptionV1, VoucherClaimV1
from skills_shared.idempotency import IdempotencyDep, RequiredIdempotencyDep
from skills_shared.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["vouchers"])


@router.post(
    "/vouchers/claims",
    operation_id="vouchers.claim",
    status_code=201,
    response_model=VoucherClaimV1,
    summary="Claim training vouchers: some types or all at once, each type once a year (V-4)",
    responses=problem_responses(401, 403, 409, 422, 429, 502, 503),
)
async def claim_vouchers(
    data: VoucherClaimRequest, principal: Citizen, upstreams: UpstreamsDep, idem: IdempotencyDep
) -> Response:
    workflow = VoucherWorkflow(upstreams, principal, idem.key)
    return await run_audited(
        idem,
        principal,
        action="voucher.claimed",
        entity_type="holder",
        entity_id=lambda r: "self",
        call=lambda: workflow.claim(data),
        status_code=201,
    )


@router.post(
    "/vouchers/{voucher_id}/qr-token",
    operation_id="vouchers.qr_token",
    response_model=QrTokenV1,
    summary="A short-lived QR token for one of the holder's vouchers, shown to the institution's scanner (V-5)",
    responses=problem_responses(401, 403, 404, 409, 422, 429, 502, 503),
)
async def voucher_qr_token(
    voucher_id: Annotated[int, Path(ge=1)], principal: Citizen, upstreams: UpstreamsDep
) -> QrTokenV1:
    """Safe to repeat: a new token replaces nothing; voucher checks that the voucher is the caller's."""
    return await VoucherWorkflow(upstreams, principal, None).qr_token(voucher_id)


@router.post(
    "/redemptions",
    operation_id="vouchers.redeem",
    status_code=201,
    response_model=RedemptionV1,
    summary="Redeem a scanned voucher into a class (V-5); voucher decides the institution's permission (V-6)",
    responses=problem_responses(401, 403, 404, 409, 422, 429, 502, 503),
)
async def redeem_voucher(
    data: RedemptionRequest, principal: Redeemer, upstreams: UpstreamsDep, idem: RequiredIdempotencyDep
) -> Response:
    workflow = VoucherWorkflow(upstreams, principal, idem.key)
    return await run_audited(
        idem,
        principal,
        action="voucher.redeemed",
        entity_type="voucher",
        entity_id=lambda r: r.voucher_id,
        call=lambda: workflow.redeem(data),
        status_code=201,
    )
