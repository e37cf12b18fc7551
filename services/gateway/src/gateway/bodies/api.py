"""Routes of body filing: applicants apply, the accepting department reviews and files, officers move bodies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response
from pydantic import BaseModel

from gateway.access import BodyApplicant, BodyStaff, Officer
from gateway.bodies.service import BodyWorkflow
from gateway.trail import run_audited
from gateway.upstreams import UpstreamsDep
from skills_shared.auth import Principal
from skills_shared.contracts.v1.gateway import (
    BODY_CODE_PATTERN,
    ApplicationEvaluation,
    ApplicationFiling,
    ApplicationPublication,
    ApplicationRejection,
    BodyApplication,
    BodyStatusChange,
    FilingApplicationRecord,
    PlanFiling,
)
from skills_shared.contracts.v1.org_filing import FilingBody, FilingPlan
from skills_shared.idempotency import Idempotency, IdempotencyDep
from skills_shared.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["bodies"])

AppId = Annotated[int, Path(ge=1, description="The application's number.")]
BodyCode = Annotated[str, Path(pattern=BODY_CODE_PATTERN, description="The body's 13-character filing code.")]
STEP_ERRORS = problem_responses(401, 403, 404, 409, 422, 429, 502, 503)


@router.post(
    "/body-applications",
    operation_id="bodies.apply",
    status_code=201,
    response_model=FilingApplicationRecord,
    summary="Apply to be filed as an evaluation body: the 附件1 form is drafted and submitted (OF-1, OF-3)",
    responses=problem_responses(401, 403, 409, 413, 422, 429, 502, 503),
)
async def apply_for_filing(
    form: BodyApplication, principal: BodyApplicant, upstreams: UpstreamsDep, idem: IdempotencyDep
) -> Response:
    """Org admins apply; org-filing checks the form across sections and computes the OF-2 / CR-3 verdicts."""
    workflow = BodyWorkflow(upstreams, principal, idem.key)
    return await run_audited(
        idem,
        principal,
        action="body.applied",
        entity_type="application",
        entity_id=lambda r: r.id,
        call=lambda: workflow.apply(form),
        status_code=201,
    )


async def _review(
    step: str,
    app_id: int,
    decision: BaseModel,
    principal: Principal,
    upstreams: UpstreamsDep,
    idem: Idempotency,
    status_code: int = 200,
) -> Response:
    """One step of the accepting department; org-filing checks that the officer's place is the accepting one."""
    workflow = BodyWorkflow(upstreams, principal, idem.key)
    return await run_audited(
        idem,
        principal,
        action=f"body.{step}",
        entity_type="application",
        entity_id=lambda r: app_id,
        call=lambda: workflow.review(app_id, step, decision),
        status_code=status_code,
    )


@router.post(
    "/body-applications/{app_id}/evaluation",
    operation_id="applications.evaluate",
    response_model=FilingApplicationRecord,
    summary="Evaluate a submitted application: selection and the OF-2 findings (the accepting department, OF-3)",
    responses=STEP_ERRORS,
)
async def evaluate_application(
    app_id: AppId,
    decision: ApplicationEvaluation,
    principal: Officer,
    upstreams: UpstreamsDep,
    idem: IdempotencyDep,
) -> Response:
    return await _review("evaluation", app_id, decision, principal, upstreams, idem)


@router.post(
    "/body-applications/{app_id}/rejection",
    operation_id="applications.reject",
    response_model=FilingApplicationRecord,
    summary="Refuse an application with its reason (the accepting department, OF-3)",
    responses=STEP_ERRORS,
)
async def reject_application(
    app_id: AppId,
    decision: ApplicationRejection,
    principal: Officer,
    upstreams: UpstreamsDep,
    idem: IdempotencyDep,
) -> Response:
    return await _review("rejection", app_id, decision, principal, upstreams, idem)


@router.post(
    "/body-applications/{app_id}/publication",
    operation_id="applications.publish",
    response_model=FilingApplicationRecord,
    summary="Publish the selected application for its publicity period (OF-3)",
    responses=STEP_ERRORS,
)
async def publish_application(
    app_id: AppId,
    decision: ApplicationPublication,
    principal: Officer,
    upstreams: UpstreamsDep,
    idem: IdempotencyDep,
) -> Response:
    return await _review("publication", app_id, decision, principal, upstreams, idem)


@router.post(
    "/body-applications/{app_id}/filing",
    operation_id="applications.file",
    status_code=201,
    response_model=FilingApplicationRecord,
    summary="File the published application: the body gets its filing code and receipt (OF-4)",
    responses=STEP_ERRORS,
)
async def file_application(
    app_id: AppId,
    decision: ApplicationFiling,
    principal: Officer,
    upstreams: UpstreamsDep,
    idem: IdempotencyDep,
) -> Response:
    return await _review("filing", app_id, decision, principal, upstreams, idem, status_code=201)


@router.post(
    "/bodies/{code}/plans",
    operation_id="plans.file",
    status_code=201,
    response_model=FilingPlan,
    summary="File an evaluation batch plan ≥ 10 working days ahead (OF-5; the body's own staff)",
    responses=STEP_ERRORS,
)
async def file_plan(
    code: BodyCode, plan: PlanFiling, principal: BodyStaff, upstreams: UpstreamsDep, idem: IdempotencyDep
) -> Response:
    """org-filing decides whether the plan is on time (OF-5) and inside the body's scope (CR-3)."""
    workflow = BodyWorkflow(upstreams, principal, idem.key)
    return await run_audited(
        idem,
        principal,
        action="plan.filed",
        entity_type="body",
        entity_id=lambda r: code,
        call=lambda: workflow.file_plan(code, plan),
        status_code=201,
    )


@router.post(
    "/bodies/{code}/status",
    operation_id="bodies.change_status",
    response_model=FilingBody,
    summary="Change a filed body's status: suspend, reinstate, cancel (CR-2) or extend (OF-6, OF-7)",
    responses=STEP_ERRORS,
)
async def change_body_status(
    code: BodyCode,
    change: BodyStatusChange,
    principal: Officer,
    upstreams: UpstreamsDep,
    idem: IdempotencyDep,
) -> Response:
    """A district officer only for bodies filed in their district; org-filing syncs the registry itself."""
    workflow = BodyWorkflow(upstreams, principal, idem.key)
    return await run_audited(
        idem,
        principal,
        action=f"body.{change.action.value}",
        entity_type="body",
        entity_id=lambda r: code,
        call=lambda: workflow.change_status(code, change),
    )
