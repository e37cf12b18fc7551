"""Routes of voucher types, campaigns, bulk issue, and the holder's claim and list (V-1…V-4)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from skills_shared.auth import Principal
from skills_shared.clock import ClockDep
from skills_shared.contracts.v1.pagination import Page, PageDep
from skills_shared.db import SessionDep
from skills_shared.idempotency import IdempotencyDep
from skills_shared.problems import problem_responses
from skills_shared.spreadsheet_routes import (
    XLSX_FILE,
    sheet_upload,
    template_response,
)
from voucher.access import Citizen, CityOfficer, Watchers
from voucher.deps import SettingsDep
from voucher.vouchers.holders_sheet import HOLDERS_SHEET
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
YearFilter = Annotated[
    int | None, Query(ge=2021, le=2100, description="只列出该年度的记录；不填列出全部年度")
]
CampaignId = Annotated[int, Path(ge=1, le=2**63 - 1, description="发券批次编号")]


@router.get(
    "/v1/voucher-types",
    response_model=Page[VoucherTypeOut],
    operation_id="types.list",
    summary="V-1 project types and face values",
    responses=problem_responses(422),
)
async def list_types(session: SessionDep, clock: ClockDep, page: PageDep) -> Page[VoucherTypeOut]:
    return await VoucherService(session, clock).types(page)


@router.put(
    "/v1/voucher-types/{code}",
    response_model=VoucherTypeOut,
    operation_id="types.price",
    summary="V-2: set a type's face value in fen (city office)",
    responses=problem_responses(401, 403, 404, 422),
)
async def set_type(
    code: Annotated[str, Path(max_length=40, description="培训项目类型编码（V-1）")],
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
    operation_id="campaigns.open",
    summary="V-3: open the yearly issue or a supplementary issue (city office); never one already ended (V-4)",
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
    response_model=Page[CampaignOut],
    operation_id="campaigns.list",
    summary="Campaigns with how many holders each issued to, by year then opening order",
    responses=problem_responses(401, 403, 422),
)
async def list_campaigns(
    session: SessionDep,
    clock: ClockDep,
    page: PageDep,
    year: YearFilter = None,
    _: Principal = Watchers,
) -> Page[CampaignOut]:
    return await VoucherService(session, clock).campaigns(year, page)


@router.get(
    "/v1/campaigns/{campaign_id}",
    response_model=CampaignOut,
    operation_id="campaigns.get",
    summary="One campaign",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_campaign(
    campaign_id: CampaignId, session: SessionDep, clock: ClockDep, _: Principal = Watchers
) -> CampaignOut:
    return await VoucherService(session, clock).campaign(campaign_id)


@sheet_upload(
    router,
    "POST",
    "/v1/campaigns/{campaign_id}/issues",
    HOLDERS_SHEET,
    response_model=IssueResult,
    status_code=201,
    operation_id="campaigns.issue",
    summary="V-3: issue vouchers to a list of eligible holders (bulk; 300,000 per request is fine), "
    "as JSON or as the .xlsx template filled in",
    responses=problem_responses(401, 403, 404, 409, 413, 415, 422),
)
async def issue(
    campaign_id: CampaignId,
    data: IssueRequest,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    idem: IdempotencyDep,
    principal: Principal = CityOfficer,
) -> Response:
    service = VoucherService(session, clock)
    return await idem.run(
        lambda: service.issue(principal, campaign_id, data, settings.bulk_issue_max), status_code=201
    )


@router.get(
    "/v1/templates/voucher-holders.xlsx",
    response_class=Response,
    operation_id="templates.voucher_holders",
    summary="V-3: the .xlsx template of a bulk issue's holder list (身份证号, 所属区县) with its instructions",
    responses={200: {"content": XLSX_FILE}, **problem_responses(401, 403)},
)
async def holders_template(_: Principal = CityOfficer) -> Response:
    return template_response(HOLDERS_SHEET, "培训券发放名单模板.xlsx")


@router.post(
    "/v1/me/vouchers/claims",
    response_model=ClaimResult,
    status_code=201,
    operation_id="vouchers.claim",
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
    response_model=Page[VoucherOut],
    operation_id="vouchers.mine",
    summary="The holder's own vouchers, by year then type",
    responses=problem_responses(401, 403, 422),
)
async def my_vouchers(
    session: SessionDep,
    clock: ClockDep,
    page: PageDep,
    year: YearFilter = None,
    principal: Principal = Citizen,
) -> Page[VoucherOut]:
    return await VoucherService(session, clock).mine(principal, year, page)
