"""Routes of upward reporting: certificates issued in a date range (CSV / JSON Lines, streamed) and counts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from certificate_registry.certificates.lookup import json_response, pool_of
from certificate_registry.deps import reporters
from certificate_registry.reporting import formats, repository
from skills_shared.auth import Principal, Role
from skills_shared.contracts.v1.pagination import Page, PageDep
from skills_shared.contracts.v1.registry import EARLIEST_DATE, LATEST_DATE
from skills_shared.problems import FieldError, Problem, problem_responses
from skills_shared.spreadsheet_routes import FileFormat, file_responses, table_response, xlsx_response
from skills_shared.spreadsheets import XLSX_MEDIA

router = APIRouter(prefix="/v1/reports", tags=["reporting"])
COUNTS_FILE_ROWS = 1_000_000
"""The file form of the counts is every group (a table to file), not a page."""


class CountRow(BaseModel):
    body_code: str
    body_name: str
    occupation_code: str
    occupation_name: str
    level: int
    year: int
    issued: int
    revoked: int


def _range(start: date, end: date) -> None:
    errors = [
        FieldError(loc=["query", name], msg="日期应在2000-01-01至2099-12-31之间", type="date_out_of_range")
        for name, value in (("from", start), ("to", end))
        if not (EARLIEST_DATE <= value <= LATEST_DATE)
    ]
    if start > end:
        errors.append(FieldError(loc=["query", "to"], msg="截止日期不能早于起始日期", type="date_order"))
    if errors:
        raise Problem(422, "validation_failed", errors[0].msg, title="Validation failed", errors=errors)


def _place(principal: Principal) -> str | None:
    """A district officer reports on the bodies filed in their district only."""
    return principal.district if principal.role is Role.DISTRICT_OFFICER else None


FromQuery = Annotated[date, Query(alias="from", description="First issue date (inclusive).")]
ToQuery = Annotated[date, Query(alias="to", description="Last issue date (inclusive).")]


@router.get(
    "/certificates",
    operation_id="reports.export",
    summary="Certificates issued in a date range, streamed as CSV or JSON Lines, or as an .xlsx",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
                XLSX_MEDIA: {"schema": {"type": "string", "format": "binary"}},
                "application/x-ndjson": {"schema": {"type": "string", "format": "binary"}},
            }
        },
        **problem_responses(401, 403, 422),
    },
)
async def export(
    request: Request,
    start: FromQuery,
    end: ToQuery,
    format: Annotated[
        Literal["csv", "xlsx", "jsonl"],
        Query(description="csv (default; UTF-8 with BOM, Chinese headers), xlsx, or jsonl (database names)."),
    ] = "csv",
    principal: Principal = Depends(reporters),
) -> Response:
    _range(start, end)
    pool, place = pool_of(request), _place(principal)
    if format == "xlsx":
        rows = [dict(row) async for row in repository.stream_certificates(pool, start, end, place)]
        content = await run_in_threadpool(formats.report_xlsx, rows, start, end)
        return xlsx_response(content, f"证书发放情况-{start.isoformat()}-{end.isoformat()}.xlsx")

    async def body() -> AsyncIterator[bytes]:
        if format == "csv":
            yield formats.csv_header()
        async for row in repository.stream_certificates(pool, start, end, place):
            yield (formats.csv_line(row) if format == "csv" else formats.jsonl_line(row))

    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    filename = f"certificates-{start.isoformat()}-{end.isoformat()}.{format}"
    return StreamingResponse(
        body(), media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@router.get(
    "/counts",
    response_model=Page[CountRow],
    operation_id="reports.counts",
    summary="Certificates issued in a date range, counted by body, occupation, level and year; "
    "format=csv or xlsx gives every group as a file",
    responses={**file_responses("csv", "xlsx"), **problem_responses(401, 403, 422)},
)
async def count_report(
    request: Request,
    start: FromQuery,
    end: ToQuery,
    page: PageDep,
    format: Annotated[
        FileFormat, Query(description="json (default; a page), csv (UTF-8 with BOM) or xlsx: every group.")
    ] = "json",
    principal: Principal = Depends(reporters),
) -> Response:
    _range(start, end)
    if format != "json":
        every, _ = await repository.counts(
            pool_of(request), start, end, _place(principal), offset=0, limit=COUNTS_FILE_ROWS
        )
        return table_response(format, formats.counts_table(every, start, end), f"证书发放统计-{start}-{end}")
    rows, total = await repository.counts(
        pool_of(request), start, end, _place(principal), offset=page.offset, limit=page.limit
    )
    return json_response(
        {"items": [dict(row) for row in rows], "page": page.page, "page_size": page.page_size, "total": total}
    )
