"""Output routes: publicity list (JSON page, or the whole list as CSV), payment batch file (CSV), statistics."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from skills_shared.auth import Principal, Role, require
from skills_shared.contracts.v1.pagination import Page, PageDep
from skills_shared.db import ReadSessionDep
from skills_shared.problems import problem_responses
from subsidy_claims.access import scope_district
from subsidy_claims.claims.api import DistrictFilter
from subsidy_claims.claims.repository import ClaimRepository
from subsidy_claims.outputs.schemas import ClaimStatistics, PublicityEntry
from subsidy_claims.outputs.service import (
    BATCH_COLUMNS,
    PUBLICITY_COLUMNS,
    batch_rows,
    publicity_rows,
    to_csv,
)

router = APIRouter(prefix="/v1", tags=["outputs"])
CSV_FILE = {"text/csv": {"schema": {"type": "string", "format": "binary"}}}
CSV_ALL_ROWS = 1_000_000
"""The CSV form of the publicity list is the whole list (a file to post), not a page."""


@router.get(
    "/publicity",
    response_model=Page[PublicityEntry],
    operation_id="publicity.list",
    summary="Public list of claims in publicity (CQ-5, SH-11): masked ID, name, occupation, level, amount; "
    "format=csv gives the whole list as a file",
    responses={200: {"content": CSV_FILE}, **problem_responses(422)},
)
async def publicity(
    session: ReadSessionDep,
    page: PageDep,
    district_code: DistrictFilter,
    format: Annotated[
        Literal["json", "csv"], Query(description="json: one page; csv: every entry as a file.")
    ] = "json",
) -> Any:
    repo = ClaimRepository(session)
    if format == "csv":
        claims, _ = await repo.in_publicity(district_code, 0, CSV_ALL_ROWS)
        return Response(
            to_csv(publicity_rows(claims), PUBLICITY_COLUMNS), media_type="text/csv; charset=utf-8"
        )
    claims, total = await repo.in_publicity(district_code, page.offset, page.limit)
    return page.wrap([PublicityEntry.model_validate(r) for r in publicity_rows(claims)], total)


@router.get(
    "/payment-batch",
    summary="CSV for the bank: every claim whose payment is instructed",
    operation_id="payments.batch_file",
    response_class=Response,
    responses={200: {"content": CSV_FILE}, **problem_responses(401, 403, 422)},
)
async def payment_batch(
    session: ReadSessionDep,
    district_code: DistrictFilter,
    principal: Principal = Depends(require(Role.CITY_OFFICER, Role.DISTRICT_OFFICER, Role.SERVICE)),
) -> Response:
    claims = await ClaimRepository(session).payment_instructed(scope_district(principal, district_code))
    return Response(
        to_csv(batch_rows(claims), BATCH_COLUMNS),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="payment-batch.csv"'},
    )


@router.get(
    "/statistics",
    response_model=Page[ClaimStatistics],
    operation_id="statistics.claims",
    summary="Claims, payments and paid amount by district, occupation, level or month of submission",
    responses=problem_responses(401, 403, 422),
)
async def statistics(
    session: ReadSessionDep,
    page: PageDep,
    district_code: DistrictFilter,
    by: Annotated[
        Literal["district", "occupation", "level", "month"],
        Query(description="Group by reviewing district, occupation code, level, or month of submission."),
    ] = "district",
    principal: Principal = Depends(require(Role.CITY_OFFICER, Role.DISTRICT_OFFICER, Role.INSPECTOR)),
) -> Page[ClaimStatistics]:
    rows = await ClaimRepository(session).statistics(by, scope_district(principal, district_code))
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
