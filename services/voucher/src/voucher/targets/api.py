"""Routes of the targets dashboard: JSON and a PNG chart (V-8)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from starlette.concurrency import run_in_threadpool

from skills_shared.auth import Principal, Role, require
from skills_shared.clock import ClockDep
from skills_shared.db import SessionDep
from skills_shared.problems import problem_responses
from skills_shared.spreadsheet_routes import FileFormat, file_responses, table_response
from voucher.targets.chart import render_png
from voucher.targets.export import targets_table
from voucher.targets.schemas import DashboardOut
from voucher.targets.service import TargetsService

router = APIRouter(prefix="/v1/targets", tags=["targets"])
Watchers = Depends(require(Role.CITY_OFFICER, Role.DISTRICT_OFFICER, Role.INSPECTOR, Role.SERVICE))
Year = Annotated[
    int | None,
    Query(ge=2021, le=2100, description="培训券年度；默认为当前开放的年度（12月1日起为次年，V-4）"),
]


@router.get(
    "",
    response_model=DashboardOut,
    operation_id="targets.dashboard",
    summary="V-8: per-district issued / claimed / used against 附件1 targets, and city totals against goals; "
    "format=csv or xlsx gives the same as a file",
    responses={**file_responses("csv", "xlsx"), **problem_responses(401, 403, 422)},
)
async def dashboard(
    session: SessionDep,
    clock: ClockDep,
    year: Year = None,
    format: Annotated[
        FileFormat,
        Query(description="json（默认）；csv（UTF-8 带 BOM）或 xlsx：各区县一行，区县用名称，末行为全市合计"),
    ] = "json",
    principal: Principal = Watchers,
) -> Any:
    y, dash = await TargetsService(session, clock).dashboard(principal, year)
    out = TargetsService.to_out(y, dash)
    if format == "json":
        return out
    return table_response(format, targets_table(out), f"{y}年培训券目标完成情况")


@router.get(
    "/chart.png",
    response_class=Response,
    operation_id="targets.chart",
    summary="V-8: the dashboard as a PNG chart in Chinese, districts by name",
    responses={200: {"content": {"image/png": {}}}, **problem_responses(401, 403, 422)},
)
async def chart(
    session: SessionDep, clock: ClockDep, year: Year = None, principal: Principal = Watchers
) -> Response:
    y, dash = await TargetsService(session, clock).dashboard(principal, year)
    png = await run_in_threadpool(render_png, dash, y)
    return Response(png, media_type="image/png")
