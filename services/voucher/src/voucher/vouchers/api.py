"""Routes of voucher types, campaigns, bulk issue, and the holder's claim and list (V-1…V-4)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from skills_shared.auth import Principal, Role, require
from skills_shared.db import SessionDep
from skills_shared.idempotency import IdempotencyDep
from skills_shared.problems import problem_responses
from voucher.clock import ClockDep
from voucher.vouchers.schemas import (
    CampaignCreate,
    CampaignOut,
    ClaimRequest,
    ClaimResult,
    IssueRequest,
    IssueResult,
    VoucherOut,
    VoucherTypeOut,
    VoucherTypeUpdate,
)
from voucher.vouchers.service import VoucherService

router = APIRouter(tags=["vouchers"])
CityOfficer = Depends(require(Role.CITY_OFFICER))
Citizen = Depends(require(Role.CITIZEN))


@router.get(
    "/v1/voucher-types", response_model=list[VoucherTypeOut], summary="V-1 project types and face values"
)
async def list_types(session: SessionDep, clock: ClockDep) -> list[VoucherTypeOut]:
    return await VoucherService(session, clock).types()


@router.put(
    "/v1/voucher-types/{code}",
    response_model=VoucherTypeOut,
    summary="V-2: set a type's face value in fen (city office)",
    responses=problem_responses(401, 403, 404, 422),
)
async def set_type(
    code: Annotated[str, Path(max_length=40)],
    data: VoucherTypeUpdate,
    session: SessionDep,
    clock: ClockDep,
    principal: Principal = CityOfficer,
) -> VoucherTypeOut:
    return await VoucherService(session, clock).set_type(principal, code, data)


@router.post(
    "/v1/campaigns",
    response_model=CampaignOut,
    status_code=201,
    summary="V-3: open the yearly issue or a supplementary issue (city office)",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_campaign(
    data: CampaignCreate,
    session: SessionDep,
    clock: ClockDep,
    idem: IdempotencyDep,
    principal: Principal = CityOfficer,
) -> Response:
    return await idem.run(
        lambda: VoucherService(session, clock).create_campaign(principal, data), status_code=201
    )


@router.get(
    "/v1/campaigns",
    response_model=list[CampaignOut],
    summary="Campaigns with how many holders each issued to",
    responses=problem_responses(401, 403, 422),
)
async def list_campaigns(
    session: SessionDep,
    clock: ClockDep,
    year: Annotated[int | None, Query(ge=2021, le=2100)] = None,
    _: Principal = Depends(require(Role.CITY_OFFICER, Role.DISTRICT_OFFICER, Role.INSPECTOR, Role.SERVICE)),
) -> list[CampaignOut]:
    return await VoucherService(session, clock).campaigns(year)


@router.get(
    "/v1/campaigns/{campaign_id}",
    response_model=CampaignOut,
    summary="One campaign",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_campaign(
    campaign_id: int,
    session: SessionDep,
    clock: ClockDep,
    _: Principal = Depends(require(Role.CITY_OFFICER, Role.DISTRICT_OFFICER, Role.INSPECTOR, Role.SERVICE)),
) -> CampaignOut:
    return await VoucherService(session, clock).campaign(campaign_id)


@router.post(
    "/v1/campaigns/{campaign_id}/issues",
    response_model=IssueResult,
    status_code=201,
    summary="V-3: issue vouchers to a list of eligible holders (bulk; 300,000 per request is fine)",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
)
async def issue(
    campaign_id: int,
    data: IssueRequest,
    session: SessionDep,
    clock: ClockDep,
    idem: IdempotencyDep,
    principal: Principal = CityOfficer,
) -> Response:
    return await idem.run(
        lambda: VoucherService(session, clock).issue(principal, campaign_id, data), status_code=201
    )


@router.post(
    "/v1/me/vouchers/claims",
    response_model=ClaimResult,
    status_code=201,
    summary="V-4: the holder claims some or all voucher types at once; each type once per year",
    responses=problem_responses(401, 403, 409, 422),
)
async def claim(
    data: ClaimRequest,
    session: SessionDep,
    clock: ClockDep,
    idem: IdempotencyDep,
    principal: Principal = Citizen,
) -> Response:
    return await idem.run(lambda: VoucherService(session, clock).claim(principal, data), status_code=201)


@router.get(
    "/v1/me/vouchers",
    response_model=list[VoucherOut],
    summary="The holder's own vouchers",
    responses=problem_responses(401, 403, 422),
)
async def my_vouchers(
    session: SessionDep,
    clock: ClockDep,
    year: Annotated[int | None, Query(ge=2021, le=2100)] = None,
    principal: Principal = Citizen,
) -> list[VoucherOut]:
    return await VoucherService(session, clock).mine(principal, year)
