"""Routes of the voucher workflows: citizens claim, institution staff redeem."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from gateway import paths
from gateway.access import Citizen, Redeemer
from gateway.relay import passthrough
from gateway.trail import run_audited
from gateway.upstreams import UpstreamsDep
from gateway.vouchers.schemas import RedeemIn, VoucherClaimIn
from gateway.vouchers.service import VoucherWorkflow
from skills_shared.idempotency import IdempotencyDep, RequiredIdempotencyDep
from skills_shared.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["vouchers"])

RECORD = {"content": {"application/json": {"schema": {"type": "object"}}}}


@router.post(
    "/vouchers/claims",
    status_code=201,
    summary="Claim training vouchers: some types or all at once, each type once a year (V-4)",
    responses={
        201: {"description": "The claimed vouchers.", **RECORD},
        **problem_responses(401, 403, 409, 422, 429, 503),
    },
    response_class=Response,
)
async def claim_vouchers(
    data: VoucherClaimIn, principal: Citizen, upstreams: UpstreamsDep, idem: IdempotencyDep
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
    summary="A short-lived QR token for one of the holder's vouchers, shown to the institution's scanner (V-5)",
    responses={
        200: {"description": "The token and when it expires.", **RECORD},
        **problem_responses(401, 403, 404, 409, 422, 429, 503),
    },
    response_class=Response,
)
async def voucher_qr_token(
    voucher_id: Annotated[int, Path(ge=1)], principal: Citizen, upstreams: UpstreamsDep
) -> Response:
    """Safe to repeat: a new token replaces nothing; voucher checks that the voucher is the caller's."""
    return passthrough(
        await upstreams.voucher.request(
            "POST", paths.VOUCHER_QR_TOKEN.format(voucher_id=voucher_id), token=principal.token
        )
    )


@router.post(
    "/redemptions",
    status_code=201,
    summary="Redeem a scanned voucher into a class: institution active (V-6), class its own, then 核销 (V-5)",
    responses={
        201: {"description": "The redemption.", **RECORD},
        **problem_responses(401, 403, 404, 409, 422, 429, 503),
    },
    response_class=Response,
)
async def redeem_voucher(
    data: RedeemIn, principal: Redeemer, upstreams: UpstreamsDep, idem: RequiredIdempotencyDep
) -> Response:
    workflow = VoucherWorkflow(upstreams, principal, idem.key)
    return await run_audited(
        idem,
        principal,
        action="voucher.redeemed",
        entity_type="voucher",
        entity_id=lambda r: r.get("voucher_id", ""),
        call=lambda: workflow.redeem(data),
        status_code=201,
    )
