"""Routes of the holder's QR token and of scan-to-redeem (V-5)."""

from __future__ import annotations

import io
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Path, Response

from skills_shared.auth import Principal
from skills_shared.clock import ClockDep
from skills_shared.db import SessionDep
from skills_shared.db.lean import LeanTxDep
from skills_shared.idempotency import LeanIdempotencyDep
from skills_shared.problems import problem_responses
from voucher.access import Citizen, Redeemers
from voucher.deps import SettingsDep
from voucher.redeem.schemas import QrTokenOut, RedeemRequest, RedemptionOut
from voucher.redeem.service import RedeemService

router = APIRouter(tags=["redeem"])


class PngResponse(Response):
    """A PNG image answer (declared binary in the OpenAPI document)."""

    media_type = "image/png"


VoucherId = Annotated[int, Path(ge=1, le=2**63 - 1, description="培训券编号")]
PNG: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
        "description": "二维码图片",
    }
}


@router.post(
    "/v1/me/vouchers/{voucher_id}/qr-token",
    response_model=QrTokenOut,
    operation_id="vouchers.qr_token",
    summary="A fresh short-lived signed QR token for one of the holder's usable vouchers",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def qr_token(
    voucher_id: VoucherId,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    principal: Principal = Citizen,
) -> QrTokenOut:
    service = RedeemService(clock, settings.qr_secret.encode(), settings.qr_ttl_s)
    return await service.qr_token(session, principal, voucher_id)


@router.get(
    "/v1/me/vouchers/{voucher_id}/qr.png",
    response_class=PngResponse,
    operation_id="vouchers.qr_png",
    summary="The same fresh token drawn as a QR image (PNG), for apps that show a picture",
    responses={**PNG, **problem_responses(401, 403, 404, 409, 422)},
)
async def qr_png(
    voucher_id: VoucherId,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    principal: Principal = Citizen,
) -> Response:
    service = RedeemService(clock, settings.qr_secret.encode(), settings.qr_ttl_s)
    token = await service.qr_token(session, principal, voucher_id)
    buf = io.BytesIO()
    segno.make(token.token, error="m").save(buf, kind="png", scale=6, border=2)
    return PngResponse(buf.getvalue(), headers={"Cache-Control": "no-store"})


@router.post(
    "/v1/redemptions",
    response_model=RedemptionOut,
    status_code=201,
    operation_id="redemptions.redeem",
    summary="V-5: scan a holder's QR at enrolment and redeem the voucher for a class (staff with permission)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def redeem(
    data: RedeemRequest,
    tx: LeanTxDep,
    clock: ClockDep,
    settings: SettingsDep,
    idem: LeanIdempotencyDep,
    principal: Principal = Redeemers,
) -> Response:
    """The hot path: a lean unit of work (plain asyncpg, no ORM), every check still in SQL and the rules.

    V-6 (institution registered and active, staff granted by its 专员) is decided by the redeem statement
    itself; a refusal is 403 ``redeem_permission_missing`` with rule V-6 and ``reason``.
    """
    service = RedeemService(clock, settings.qr_secret.encode(), settings.qr_ttl_s)
    return await idem.run(lambda: service.redeem(tx, principal, data), status_code=201)
