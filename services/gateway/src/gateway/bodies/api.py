"""Routes of body filing: applicants apply, officers file and change a body's status."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path
from fastapi.responses import Response

from gateway.access import BodyApplicant, BodyStaff, Officer
from gateway.bodies.rules import ReviewStep
from gateway.bodies.schemas import StatusChangeIn
from gateway.bodies.service import BodyWorkflow
from gateway.trail import run_audited
from gateway.upstreams import UpstreamsDep
from skills_shared.idempotency import IdempotencyDep
from skills_shared.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["bodies"])

BODY_CODE = r"^[SY][0-9]{12}$"
RECORD = {"content": {"application/json": {"schema": {"type": "object"}}}}


@router.post(
    "/body-applications",
    status_code=201,
    summary="Apply to be filed as an evaluation body: the 附件1 form is drafted and submitted (OF-1, OF-3)",
    responses={
        201: {"description": "The submitted application.", **RECORD},
        **problem_responses(401, 403, 409, 413, 422, 429, 503),
    },
    response_class=Response,
)
async def apply_for_filing(
    principal: BodyApplicant,
    upstreams: UpstreamsDep,
    idem: IdempotencyDep,
    form: Annotated[dict[str, Any], Body(description="org-filing's application draft (附件1)")],
) -> Response:
    """Org admins apply; org-filing checks the form and computes the OF-2 / CR-3 verdicts."""
    workflow = BodyWorkflow(upstreams, principal, idem.key)
    return await run_audited(
        idem,
        principal,
        action="body.applied",
        entity_type="application",
        entity_id=lambda r: r.get("id", ""),
        call=lambda: workflow.apply(form),
        status_code=201,
    )


@router.post(
    "/body-applications/{app_id}/{step}",
    summary="The accepting department's step: evaluation, rejection, publication, or filing (OF-3, OF-4)",
    responses={
        200: {"description": "The application after the step.", **RECORD},
        201: {"description": "Filing: the application with the new body code.", **RECORD},
        **problem_responses(401, 403, 404, 409, 422, 429, 503),
    },
    response_class=Response,
)
async def review_application(
    principal: Officer,
    upstreams: UpstreamsDep,
    idem: IdempotencyDep,
    app_id: Annotated[int, Path(ge=1)],
    step: ReviewStep,
    decision: Annotated[dict[str, Any], Body(description="The step's body as org-filing takes it")],
) -> Response:
    """org-filing checks that the officer's place is the accepting one."""
    workflow = BodyWorkflow(upstreams, principal, idem.key)
    status = 201 if step is ReviewStep.FILING else 200
    return await run_audited(
        idem,
        principal,
        action=f"body.{step.value}",
        entity_type="application",
        entity_id=lambda r: app_id,
        call=lambda: workflow.review(app_id, step, decision),
        status_code=status,
    )


@router.post(
    "/bodies/{code}/plans",
    status_code=201,
    summary="File an evaluation batch plan ≥ 10 working days ahead (OF-5; the body's own staff)",
    responses={
        201: {"description": "The filed plan.", **RECORD},
        **problem_responses(401, 403, 404, 409, 422, 429, 503),
    },
    response_class=Response,
)
async def file_plan(
    principal: BodyStaff,
    upstreams: UpstreamsDep,
    idem: IdempotencyDep,
    code: Annotated[str, Path(pattern=BODY_CODE)],
    plan: Annotated[dict[str, Any], Body(description="org-filing's plan (PlanIn)")],
) -> Response:
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
    summary="Change a filed body's status: suspend, reinstate, cancel (CR-2) or extend (OF-6, OF-7)",
    responses={
        200: {"description": "The body after the move.", **RECORD},
        **problem_responses(401, 403, 404, 409, 422, 429, 503),
    },
    response_class=Response,
)
async def change_body_status(
    principal: Officer,
    upstreams: UpstreamsDep,
    idem: IdempotencyDep,
    code: Annotated[str, Path(pattern=BODY_CODE)],
    change: StatusChangeIn,
) -> Response:
    """A district officer only for bodies filed in their district; org-filing syncs the registry itself."""
    workflow = BodyWorkflow(upstreams, principal, idem.key)
    return await run_audited(
        idem,
        principal,
        action=f"body.{change.action.value}",
        entity_type="body",
        entity_id=lambda r: code,
        call=lambda: workflow.change_status(code, change.action, change.reason),
    )
