"""Routes of plans: a body files its batch plans; officers, inspectors and the gateway read them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from org_filing.clock import TodayDep
from org_filing.plans.schemas import PlanIn, PlanOut
from org_filing.plans.service import PlanService, to_out
from skills_shared.auth import Principal, Role, require
from skills_shared.db import SessionDep
from skills_shared.idempotency import IdempotencyDep
from skills_shared.problems import problem_responses

router = APIRouter(prefix="/v1", tags=["plans"])

BodyStaff = Annotated[Principal, Depends(require(Role.ORG_ADMIN, Role.ORG_STAFF))]
Reader = Annotated[
    Principal,
    Depends(
        require(
            Role.ORG_ADMIN,
            Role.ORG_STAFF,
            Role.DISTRICT_OFFICER,
            Role.CITY_OFFICER,
            Role.INSPECTOR,
            Role.SERVICE,
        )
    ),
]


@router.post(
    "/bodies/{code}/plans",
    response_model=PlanOut,
    status_code=201,
    summary="File a batch plan ≥ 10 working days ahead, inside scope and validity (OF-5, CR-3)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def file_plan(
    today: TodayDep, code: str, body: PlanIn, session: SessionDep, principal: BodyStaff, idem: IdempotencyDep
) -> Response:
    async def call() -> PlanOut:
        plan, b = await PlanService(session).file(principal, code, body, today=today)
        return to_out(plan, b)

    return await idem.run(call, status_code=201)


@router.get(
    "/bodies/{code}/plans",
    response_model=list[PlanOut],
    summary="A body's filed plans",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_plans(code: str, session: SessionDep, principal: Reader) -> list[PlanOut]:
    return [to_out(p, b) for p, b in await PlanService(session).for_body(principal, code)]


@router.get(
    "/plans/{plan_id}",
    response_model=PlanOut,
    summary="One plan, for the gateway to check before issuing (ID numbers masked)",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_plan(plan_id: int, session: SessionDep, principal: Reader) -> PlanOut:
    plan, body = await PlanService(session).get(principal, plan_id)
    return to_out(plan, body)
