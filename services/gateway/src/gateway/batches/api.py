"""Routes of the batch issuance workflow: body staff open, upload, publish and issue; officers approve."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from gateway import paths
from gateway.access import BodyStaff, Officer
from gateway.batches.service import BatchWorkflow
from gateway.trail import run_audited
from gateway.upstreams import UpstreamsDep
from skills_shared.auth import Principal, Role, require
from skills_shared.contracts.v1.gateway import BatchOpening, BatchResults
from skills_shared.contracts.v1.registry import CertificateBatch, IssueOutcome, ResultsUploaded
from skills_shared.idempotency import IdempotencyDep, RequiredIdempotencyDep
from skills_shared.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["batches"])

Viewer = Annotated[
    Principal,
    Depends(
        require(Role.ORG_STAFF, Role.ORG_ADMIN, Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.INSPECTOR)
    ),
]
MOVE_ERRORS = problem_responses(401, 403, 404, 409, 422, 429, 502, 503)


@router.post(
    "/batches",
    operation_id="batches.open",
    status_code=201,
    response_model=CertificateBatch,
    summary="Open a batch under a filed plan: the registry opens it once org-filing clears the plan "
    "(OF-5 on time, CR-3 in scope, OF-6 body active)",
    responses=MOVE_ERRORS,
)
async def open_batch(
    data: BatchOpening, principal: BodyStaff, upstreams: UpstreamsDep, idem: IdempotencyDep
) -> Response:
    """Body staff of the plan's body only; a refusal comes back with org-filing's code and rule ID."""
    workflow = BatchWorkflow(upstreams, principal, idem.key)
    return await run_audited(
        idem,
        principal,
        action="batch.opened",
        entity_type="batch",
        entity_id=lambda r: r.id,
        call=lambda: workflow.open(data),
        status_code=201,
    )


@router.get(
    "/batches/{batch_id}",
    operation_id="batches.get",
    response_model=CertificateBatch,
    summary="One batch (its body's staff, officers of its district, city officers, inspectors)",
    responses=problem_responses(401, 403, 404, 422, 429, 502, 503),
)
async def get_batch(batch_id: uuid.UUID, principal: Viewer, upstreams: UpstreamsDep) -> CertificateBatch:
    return await BatchWorkflow(upstreams, principal, None).check_access(str(batch_id))


@router.put(
    "/batches/{batch_id}/results",
    operation_id="batches.upload_results",
    response_model=ResultsUploaded,
    summary="Upload the batch's results (all-or-nothing; the registry checks every row)",
    responses=problem_responses(401, 403, 404, 409, 413, 422, 429, 502, 503),
)
async def upload_results(
    batch_id: uuid.UUID,
    results: BatchResults,
    principal: BodyStaff,
    upstreams: UpstreamsDep,
    idem: IdempotencyDep,
) -> Response:
    workflow = BatchWorkflow(upstreams, principal, idem.key)
    upload = results.model_dump(mode="json", exclude_none=True)
    return await run_audited(
        idem,
        principal,
        action="batch.results",
        entity_type="batch",
        entity_id=lambda r: batch_id,
        call=lambda: workflow.step(
            str(batch_id), ResultsUploaded, "PUT", paths.REGISTRY_BATCH_RESULTS, "results", json=upload
        ),
    )


@router.post(
    "/batches/{batch_id}/publicity",
    operation_id="batches.start_publicity",
    response_model=CertificateBatch,
    summary="Start the 5-working-day publicity (CR-4)",
    responses=MOVE_ERRORS,
)
async def start_publicity(
    batch_id: uuid.UUID, principal: BodyStaff, upstreams: UpstreamsDep, idem: IdempotencyDep
) -> Response:
    workflow = BatchWorkflow(upstreams, principal, idem.key)
    return await run_audited(
        idem,
        principal,
        action="batch.publicity",
        entity_type="batch",
        entity_id=lambda r: batch_id,
        call=lambda: workflow.step(
            str(batch_id), CertificateBatch, "POST", paths.REGISTRY_BATCH_PUBLICITY, "publicity"
        ),
    )


@router.post(
    "/batches/{batch_id}/approval",
    operation_id="batches.approve",
    response_model=CertificateBatch,
    summary="Approve after publicity (officer of the body's district, or a city officer; CR-4)",
    responses=MOVE_ERRORS,
)
async def approve(
    batch_id: uuid.UUID, principal: Officer, upstreams: UpstreamsDep, idem: RequiredIdempotencyDep
) -> Response:
    workflow = BatchWorkflow(upstreams, principal, idem.key)
    return await run_audited(
        idem,
        principal,
        action="batch.approved",
        entity_type="batch",
        entity_id=lambda r: batch_id,
        call=lambda: workflow.step(
            str(batch_id), CertificateBatch, "POST", paths.REGISTRY_BATCH_APPROVAL, "approval"
        ),
    )


@router.post(
    "/batches/{batch_id}/issue",
    operation_id="batches.issue",
    status_code=201,
    response_model=IssueOutcome,
    summary="Issue numbered certificates to the reviewed, passing candidates (CR-1, CR-4)",
    responses=MOVE_ERRORS,
)
async def issue(
    batch_id: uuid.UUID, principal: BodyStaff, upstreams: UpstreamsDep, idem: RequiredIdempotencyDep
) -> Response:
    workflow = BatchWorkflow(upstreams, principal, idem.key)
    return await run_audited(
        idem,
        principal,
        action="batch.issued",
        entity_type="batch",
        entity_id=lambda r: batch_id,
        call=lambda: workflow.step(str(batch_id), IssueOutcome, "POST", paths.REGISTRY_BATCH_ISSUE, "issue"),
        status_code=201,
    )
