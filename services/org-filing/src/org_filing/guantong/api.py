"""Routes of 贯通 bodies (OF-8): registration, quotas, issued-versus-quota progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from org_filing.deps import City, GuantongReader, Officer, QuotaReporter
from org_filing.guantong.schemas import (
    GuantongBodyOut,
    GuantongRegisterIn,
    IssuedIn,
    ProgressOut,
    QuotaIn,
    YearProgressOut,
)
from org_filing.guantong.service import GuantongService, body_out
from skills_shared.db import SessionDep
from skills_shared.idempotency import IdempotencyDep
from skills_shared.problems import problem_responses

router = APIRouter(prefix="/v1/guantong", tags=["guantong"])

Year = Annotated[int, Path(ge=2020, le=2100)]


@router.post(
    "/bodies",
    operation_id="guantong.register",
    response_model=GuantongBodyOut,
    status_code=201,
    summary="Register (报备) a 贯通 body: occupation ↔ title-specialty map, ≥ 3 experts (OF-8)",
    responses=problem_responses(401, 403, 409, 422),
)
async def register(
    body: GuantongRegisterIn, session: SessionDep, principal: Officer, idem: IdempotencyDep
) -> Response:
    async def call() -> GuantongBodyOut:
        return body_out(await GuantongService(session).register(principal, body))

    return await idem.run(call, status_code=201)


@router.get(
    "/bodies/{gid}",
    operation_id="guantong.get",
    response_model=GuantongBodyOut,
    summary="One 贯通 body",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_body(gid: int, session: SessionDep, principal: GuantongReader) -> GuantongBodyOut:
    return body_out(await GuantongService(session).get(gid))


@router.put(
    "/bodies/{gid}/quotas/{year}",
    operation_id="guantong.set_quota",
    status_code=204,
    summary="Set a body's yearly guidance quota",
    responses=problem_responses(401, 403, 404, 422),
)
async def set_quota(gid: int, year: Year, body: QuotaIn, session: SessionDep, principal: City) -> Response:
    await GuantongService(session).set_quota(principal, gid, year, body)
    return Response(status_code=204)


@router.post(
    "/bodies/{gid}/quotas/{year}/issued",
    operation_id="guantong.count_issued",
    response_model=ProgressOut,
    summary="Count newly issued 贯通 certificates against the quota",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def add_issued(
    gid: int, year: Year, body: IssuedIn, session: SessionDep, principal: QuotaReporter, idem: IdempotencyDep
) -> Response:
    async def call() -> ProgressOut:
        return await GuantongService(session).add_issued(principal, gid, year, body.total, body.technician)

    return await idem.run(call)


@router.get(
    "/quotas/{year}",
    operation_id="guantong.year_progress",
    response_model=YearProgressOut,
    summary="Issued versus quota, per body and in all",
    responses=problem_responses(401, 403, 422),
)
async def year_progress(year: Year, session: SessionDep, principal: GuantongReader) -> YearProgressOut:
    return await GuantongService(session).year_progress(year)


@router.post(
    "/quota-plans/2023",
    operation_id="guantong.load_plan_2023",
    response_model=YearProgressOut,
    summary="Load the 2023 guidance plan of seed 002 (51 bodies, 2000 / 1500) as example data",
    responses=problem_responses(401, 403, 409, 422),
)
async def load_2023(session: SessionDep, principal: City, idem: IdempotencyDep) -> Response:
    async def call() -> YearProgressOut:
        return await GuantongService(session).load_plan_2023(principal)

    return await idem.run(call)
