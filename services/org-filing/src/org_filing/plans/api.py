"""Routes of plans: a body files and withdraws its batch plans; readers list them; the registry checks a batch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from org_filing.deps import BodyRecordReader, BodyStaff, Service
from org_filing.plans.plan_sheet import PLAN_SHEET
from org_filing.plans.rules import PlanStatus
from org_filing.plans.schemas import PlanIn, PlanOut, WithdrawIn
from org_filing.plans.service import PlanService, to_out
from skills_shared.clock import TodayDep
from skills_shared.contracts.v1.org_filing import BatchPlanCheck, BatchPlanClearance
from skills_shared.contracts.v1.pagination import Page, PageDep
from skills_shared.db import SessionDep
from skills_shared.idempotency import IdempotencyDep
from skills_shared.problems import problem_responses
from skills_shared.spreadsheet_routes import XLSX_FILE, sheet_upload, template_response

router = APIRouter(prefix="/v1", tags=["plans"])


@sheet_upload(
    router,
    "POST",
    "/bodies/{code}/plans",
    PLAN_SHEET,
    response_model=PlanOut,
    status_code=201,
    operation_id="plans.file",
    summary="File a batch plan ≥ 10 working days ahead, inside scope and validity (OF-5, CR-3, OF-8); "
    "JSON, or the .xlsx template filled in",
    responses=problem_responses(401, 403, 404, 409, 415, 422),
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
    response_model=Page[PlanOut],
    operation_id="plans.list",
    summary="A body's filed plans, by start date",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_plans(
    code: str,
    session: SessionDep,
    principal: BodyRecordReader,
    page: PageDep,
    status: Annotated[
        PlanStatus | None, Query(description="Only plans in this state (filed: standing; withdrawn).")
    ] = None,
) -> Page[PlanOut]:
    return await PlanService(session).for_body(principal, code, page, status=status)


@router.get(
    "/plans/{plan_id}",
    response_model=PlanOut,
    operation_id="plans.get",
    summary="One plan (ID numbers masked)",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_plan(plan_id: int, session: SessionDep, principal: BodyRecordReader) -> PlanOut:
    plan, body = await PlanService(session).get(principal, plan_id)
    return to_out(plan, body)


@router.post(
    "/plans/{plan_id}/withdrawal",
    response_model=PlanOut,
    operation_id="plans.withdraw",
    summary="Withdraw a filed plan: no batch opens under it afterwards (OF-5)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def withdraw_plan(
    plan_id: int, body: WithdrawIn, session: SessionDep, principal: BodyStaff, idem: IdempotencyDep
) -> Response:
    async def call() -> PlanOut:
        plan, b = await PlanService(session).withdraw(principal, plan_id, body.reason)
        return to_out(plan, b)

    return await idem.run(call)


@router.post(
    "/plans/{plan_id}/batch-check",
    response_model=BatchPlanClearance,
    operation_id="plans.batch_check",
    summary="May this batch open under this plan? (OF-5 timing and coverage, OF-3, OF-6, CR-3, OF-8)",
    description=(
        "Asked by the certificate registry (service token) whenever a batch is opened. 200 with the plan's facts "
        "when every rule holds; otherwise one problem+json naming the first rule and code, with every reason in "
        "`errors` and `refusals`, and `latest_filing_date` / `earliest_evaluation_date` when timing refuses."
    ),
    responses=problem_responses(401, 403, 404, 422),
)
async def batch_check(
    plan_id: int, body: BatchPlanCheck, session: SessionDep, principal: Service
) -> BatchPlanClearance:
    return await PlanService(session).batch_check(plan_id, body)


@router.get(
    "/templates/batch-plan.xlsx",
    response_class=Response,
    operation_id="templates.batch_plan",
    summary="The .xlsx template of a batch plan: its items, candidates, assessors and supervisors, with instructions",
    responses={200: {"content": XLSX_FILE}, **problem_responses(401, 403)},
)
async def plan_template(_: BodyStaff) -> Response:
    return template_response(PLAN_SHEET, "评价批次计划模板.xlsx")
