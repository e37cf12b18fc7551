"""Output routes: publicity list (JSON/CSV), payment batch file (CSV), statistics."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from skills_shared.auth import Principal, Role, require
from skills_shared.db import ReadSessionDep
from skills_shared.problems import forbidden, problem_responses
from subsidy_claims.claims.repository import ClaimRepository
from subsidy_claims.outputs.service import (
    BATCH_COLUMNS,
    PUBLICITY_COLUMNS,
    batch_rows,
    publicity_rows,
    to_csv,
)

router = APIRouter(prefix="/v1", tags=["outputs"])
District = Annotated[str | None, Query(pattern=r"^([0-9]{2}|3101[0-9]{2})$")]


def _scope(principal: Principal, district: str | None) -> str | None:
    """A district officer sees only their own district; city roles may choose."""
    if principal.role == Role.DISTRICT_OFFICER:
        if district is not None and district != principal.district:
            raise forbidden("无权处理其他区县的业务", code="forbidden_district")
        return principal.district
    return district


@router.get(
    "/publicity",
    summary="Public list of claims in publicity (CQ-5, SH-11): masked ID, name, occupation, level, amount",
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}, **problem_responses(422)},
)
async def publicity(
    session: ReadSessionDep, district: District = None, format: Literal["json", "csv"] = "json"
) -> Any:
    rows = publicity_rows(await ClaimRepository(session).in_publicity(district))
    if format == "csv":
        return Response(to_csv(rows, PUBLICITY_COLUMNS), media_type="text/csv; charset=utf-8")
    return rows


@router.get(
    "/payment-batch",
    summary="CSV for the bank: every claim whose payment is instructed",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **problem_responses(401, 403, 422)},
)
async def payment_batch(
    session: ReadSessionDep,
    district: District = None,
    principal: Principal = Depends(require(Role.CITY_OFFICER, Role.DISTRICT_OFFICER, Role.SERVICE)),
) -> Response:
    claims = await ClaimRepository(session).payment_instructed(_scope(principal, district))
    return Response(
        to_csv(batch_rows(claims), BATCH_COLUMNS),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="payment-batch.csv"'},
    )


@router.get(
    "/statistics",
    summary="Claims, payments and paid amount by district, occupation, level or month of submission",
    responses=problem_responses(401, 403, 422),
)
async def statistics(
    session: ReadSessionDep,
    by: Literal["district", "occupation", "level", "month"] = "district",
    district: District = None,
    principal: Principal = Depends(require(Role.CITY_OFFICER, Role.DISTRICT_OFFICER, Role.INSPECTOR)),
) -> list[dict[str, Any]]:
    return await ClaimRepository(session).statistics(by, _scope(principal, district))
