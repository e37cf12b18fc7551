"""Output routes: publicity list (JSON page, or the whole list as a file), payment batch file, statistics; the
files are CSV (BOM, Chinese headers) or .xlsx."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from skills_shared.auth import Principal, Role, require
from skills_shared.contracts.v1.pagination import Page, PageDep
from skills_shared.db import ReadSessionDep
from skills_shared.problems import problem_responses
from skills_shared.spreadsheet_routes import FileFormat, file_responses, table_response
from subsidy_claims.access import scope_district
from subsidy_claims.claims.api import DistrictFilter
from subsidy_claims.claims.repository import ClaimRepository
from subsidy_claims.outputs.schemas import ClaimStatistics, PublicityEntry
from subsidy_claims.outputs.service import (
    batch_table,
    publicity_rows,
    publicity_table,
    statistics_table,
)

router = APIRouter(prefix="/v1", tags=["outputs"])
FILE_ALL_ROWS = 1_000_000
"""The file form of the publicity list is the whole list (a file to post), not a page."""
FILE_FORMAT = "csv（UTF-8 带 BOM）或 xlsx：中文表头，区县用名称，日期为日期"


@router.get(
    "/publicity",
    response_model=Page[PublicityEntry],
    operation_id="publicity.list",
    summary="Public list of claims in publicity (CQ-5, SH-11): masked ID, name, occupation, level, amount; "
    "format=csv or xlsx gives the whole list as a file",
    responses={**file_responses("csv", "xlsx"), **problem_responses(422)},
)
async def publicity(
    session: ReadSessionDep,
    page: PageDep,
    district_code: DistrictFilter,
    format: Annotated[FileFormat, Query(description=f"json：一页；{FILE_FORMAT}，为全部公示条目。")] = "json",
) -> Any:
    repo = ClaimRepository(session)
    if format != "json":
        claims, _ = await repo.in_publicity(district_code, 0, FILE_ALL_ROWS)
        return table_response(format, publicity_table(claims), "补贴申领公示名单")
    claims, total = await repo.in_publicity(district_code, page.offset, page.limit)
    return page.wrap([PublicityEntry.model_validate(r) for r in publicity_rows(claims)], total)


@router.get(
    "/payment-batch",
    summary="The file for the bank (CSV, or .xlsx with format=xlsx): every claim whose payment is instructed",
    operation_id="payments.batch_file",
    response_class=Response,
    responses={**file_responses("csv", "xlsx"), **problem_responses(401, 403, 422)},
)
async def payment_batch(
    session: ReadSessionDep,
    district_code: DistrictFilter,
    format: Annotated[Literal["csv", "xlsx"], Query(description=FILE_FORMAT)] = "csv",
    principal: Principal = Depends(require(Role.CITY_OFFICER, Role.DISTRICT_OFFICER, Role.SERVICE)),
) -> Response:
    claims = await ClaimRepository(session).payment_instructed(scope_district(principal, district_code))
    return table_response(format, batch_table(claims), "补贴发放批次")


@router.get(
    "/statistics",
    response_model=Page[ClaimStatistics],
    operation_id="statistics.claims",
    summary="Claims, payments and paid amount by district, occupation, level or month of submission; "
    "format=csv or xlsx gives every group as a file",
    responses={**file_responses("csv", "xlsx"), **problem_responses(401, 403, 422)},
)
async def statistics(
    session: ReadSessionDep,
    page: PageDep,
    district_code: DistrictFilter,
    by: Annotated[
        Literal["district", "occupation", "level", "month"],
        Query(description="Group by reviewing district, occupation code, level, or month of submission."),
    ] = "district",
    format: Annotated[FileFormat, Query(description=f"json：一页；{FILE_FORMAT}，为全部分组。")] = "json",
    principal: Principal = Depends(require(Role.CITY_OFFICER, Role.DISTRICT_OFFICER, Role.INSPECTOR)),
) -> Any:
    rows = await ClaimRepository(session).statistics(by, scope_district(principal, district_code))
    if format != "json":
        table = statistics_table(by, rows)
        return table_response(format, table, table.title)
    items = [
        ClaimStatistics(
            policy=r["policy"],
            key=None if r["key"] is None else str(r["key"]),
            claims=r["claims"],
            paid=r["paid"],
            paid_fen=r["paid_fen"],
        )
        for r in rows
    ]
    return page.wrap(items[page.offset : page.offset + page.limit], len(items))
