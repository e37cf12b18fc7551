"""Routes of settlement claims and their audit by the district (V-2)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from skills_shared.auth import Principal
from skills_shared.clock import ClockDep
from skills_shared.contracts.v1.pagination import Page, PageDep
from skills_shared.db import SessionDep
from skills_shared.idempotency import IdempotencyDep
from skills_shared.problems import problem_responses
from voucher.access import DistrictOfficer, InstitutionAdmin, SettlementViewers
from voucher.settlement.rules import SettlementStatus
from voucher.settlement.schemas import SettlementCreate, SettlementDecision, SettlementOut
from voucher.settlement.service import SettlementService

router = APIRouter(prefix="/v1/settlements", tags=["settlement"])
SettlementId = Annotated[int, Path(ge=1, le=2**63 - 1, description="结算申请编号")]


@router.post(
    "",
    response_model=SettlementOut,
    status_code=201,
    operation_id="settlements.submit",
    summary="The institution claims for vouchers whose training was completed",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def submit(
    data: SettlementCreate,
    session: SessionDep,
    clock: ClockDep,
    idem: IdempotencyDep,
    principal: Principal = InstitutionAdmin,
) -> Response:
    return await idem.run(lambda: SettlementService(session, clock).submit(principal, data), status_code=201)


@router.get(
    "",
    response_model=Page[SettlementOut],
    operation_id="settlements.list",
    summary="Settlement claims in submission order (an institution sees its own, a district officer their district's)",
    responses=problem_responses(401, 403, 422),
)
async def list_settlements(
    session: SessionDep,
    clock: ClockDep,
    page: PageDep,
    status: Annotated[
        SettlementStatus | None,
        Query(description="只列出该状态的申请：submitted 待审核，approved 已通过，rejected 已驳回"),
    ] = None,
    principal: Principal = SettlementViewers,
) -> Page[SettlementOut]:
    return await SettlementService(session, clock).search(principal, status, page)


@router.get(
    "/{settlement_id}",
    response_model=SettlementOut,
    operation_id="settlements.get",
    summary="One settlement claim",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_settlement(
    settlement_id: SettlementId,
    session: SessionDep,
    clock: ClockDep,
    principal: Principal = SettlementViewers,
) -> SettlementOut:
    return await SettlementService(session, clock).get(principal, settlement_id)


@router.post(
    "/{settlement_id}/decision",
    response_model=SettlementOut,
    operation_id="settlements.decide",
    summary="V-2: a district officer approves an amount (the payable) or rejects with a reason",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def decide(
    settlement_id: SettlementId,
    data: SettlementDecision,
    session: SessionDep,
    clock: ClockDep,
    idem: IdempotencyDep,
    principal: Principal = DistrictOfficer,
) -> Response:
    return await idem.run(lambda: SettlementService(session, clock).decide(principal, settlement_id, data))
