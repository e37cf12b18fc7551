"""Routes of settlement claims and their audit by the district (V-2)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from skills_shared.auth import Principal, Role, require
from skills_shared.db import SessionDep
from skills_shared.idempotency import IdempotencyDep
from skills_shared.problems import problem_responses
from voucher.clock import ClockDep
from voucher.settlement.rules import SettlementStatus
from voucher.settlement.schemas import SettlementCreate, SettlementDecision, SettlementOut
from voucher.settlement.service import SettlementService

router = APIRouter(prefix="/v1/settlements", tags=["settlement"])
Viewer = Depends(
    require(
        Role.INSTITUTION_ADMIN,
        Role.INSTITUTION_STAFF,
        Role.DISTRICT_OFFICER,
        Role.CITY_OFFICER,
        Role.INSPECTOR,
    )
)


@router.post(
    "",
    response_model=SettlementOut,
    status_code=201,
    summary="The institution claims for vouchers whose training was completed",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def submit(
    data: SettlementCreate,
    session: SessionDep,
    clock: ClockDep,
    idem: IdempotencyDep,
    principal: Principal = Depends(require(Role.INSTITUTION_ADMIN)),
) -> Response:
    return await idem.run(lambda: SettlementService(session, clock).submit(principal, data), status_code=201)


@router.get(
    "",
    response_model=list[SettlementOut],
    summary="Settlement claims (an institution sees its own, a district officer their district's)",
    responses=problem_responses(401, 403, 422),
)
async def list_settlements(
    session: SessionDep,
    clock: ClockDep,
    status: SettlementStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    principal: Principal = Viewer,
) -> list[SettlementOut]:
    return await SettlementService(session, clock).search(principal, status, limit, offset)


@router.get(
    "/{settlement_id}",
    response_model=SettlementOut,
    summary="One settlement claim",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_settlement(
    settlement_id: int, session: SessionDep, clock: ClockDep, principal: Principal = Viewer
) -> SettlementOut:
    return await SettlementService(session, clock).get(principal, settlement_id)


@router.post(
    "/{settlement_id}/decision",
    response_model=SettlementOut,
    summary="V-2: a district officer approves an amount (the payable) or rejects with a reason",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def decide(
    settlement_id: int,
    data: SettlementDecision,
    session: SessionDep,
    clock: ClockDep,
    idem: IdempotencyDep,
    principal: Principal = Depends(require(Role.DISTRICT_OFFICER)),
) -> Response:
    return await idem.run(lambda: SettlementService(session, clock).decide(principal, settlement_id, data))
