"""Route of the lapse run (V-4), for the city office's scheduler or an operator."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from skills_shared.auth import Principal, Role, require
from skills_shared.clock import ClockDep
from skills_shared.db import SessionDep
from skills_shared.problems import problem_responses
from voucher.lapse.schemas import LapseRunOut, LapseRunRequest
from voucher.lapse.service import LapseService

router = APIRouter(tags=["lapse"])


@router.post(
    "/v1/lapse-runs",
    response_model=LapseRunOut,
    operation_id="lapse.run",
    summary="V-4: lapse unused vouchers past their validity and vouchers whose training was not completed",
    responses=problem_responses(401, 403, 422),
)
async def lapse_run(
    data: LapseRunRequest,
    session: SessionDep,
    clock: ClockDep,
    principal: Principal = Depends(require(Role.CITY_OFFICER, Role.SERVICE)),
) -> LapseRunOut:
    """Re-running is harmless: a lapsed voucher never changes again, so no Idempotency-Key is needed."""
    return await LapseService(session, clock).run(principal, data.as_of)
