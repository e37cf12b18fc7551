"""Routes of the batch issuance workflow: body staff open, upload, publish and issue; officers approve."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from fastapi.responses import Response

from gateway import paths
from gateway.access import BodyStaff, Officer
from gateway.batches.schemas import BatchOpenIn
from gateway.batches.service import BatchWorkflow
from gateway.relay import passthrough
from gateway.trail import run_audited
from gateway.upstreams import UpstreamsDep
from skills_shared.auth import Principal, Role, require
from skills_shared.idempotency import IdempotencyDep, RequiredIdempotencyDep
from skills_shared.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["batches"])

RECORD = {"content": {"application/json": {"schema": {"type": "object"}}}}
Viewer = Annotated[
    Principal,
    Depends(
        require(Role.ORG_STAFF, Role.ORG_ADMIN, Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.INSPECTOR)
    ),
]


@router.post(
    "/batches",
    status_code=201,
    summary="Open a batch: plan filed in time (OF-5), body active and in scope (CR-3), then the registry batch",
    responses={
        201: {"description": "The registry's batch.", **RECORD},
        **problem_responses(401, 403, 404, 409, 422, 429, 503),
    },
    response_class=Response,
)
async def open_batch(
    data: BatchOpenIn, principal: BodyStaff, upstreams: UpstreamsDep, idem: IdempotencyDep
) -> Response:
    """Body staff of the plan's body only."""
    workflow = BatchWorkflow(upstreams, principal, idem.key)
    return await run_audited(
        idem,
        principal,
        action="batch.opened",
        entity_type="batch",
        entity_id=lambda r: r.get("id", ""),
        call=lambda: workflow.open(data),
        status_code=201,
    )


@router.get(
    "/batches/{batch_id}",
    summary="One batch (its body's staff, officers of its district, city officers, inspectors)",
    responses={
        200: {"description": "The registry's batch.", **RECORD},
        **problem_responses(401, 403, 404, 422, 429, 503),
    },
    response_class=Response,
)
async def get_batch(batch_id: uuid.UUID, principal: Viewer, upstreams: UpstreamsDep) -> Response:
    workflow = BatchWorkflow(upstreams, principal, None)
    await workflow.check_access(str(batch_id))
    return passthrough(
        await upstreams.registry.request(
            "GET", paths.REGISTRY_BATCH.format(batch_id=batch_id), token=principal.token
        )
    )


@router.put(
    "/batches/{batch_id}/results",
    summary="Upload the batch's results (all-or-nothing; the registry checks every row)",
    responses={
        200: {"description": "Counts of the upload.", **RECORD},
        **problem_responses(401, 403, 404, 409, 413, 422, 429, 503),
    },
    response_class=Response,
)
async def upload_results(
    batch_id: uuid.UUID,
    principal: BodyStaff,
    upstreams: UpstreamsDep,
    idem: IdempotencyDep,
    results: Annotated[dict[str, Any], Body(description="{'candidates': [...]} as the registry takes it")],
) -> Response:
    workflow = BatchWorkflow(upstreams, principal, idem.key)
    return await run_audited(
        idem,
        principal,
        action="batch.results",
        entity_type="batch",
        entity_id=lambda r: batch_id,
        call=lambda: workflow.step(
            str(batch_id), "PUT", paths.REGISTRY_BATCH_RESULTS, "results", json=results
        ),
    )


@router.post(
    "/batches/{batch_id}/publicity",
    summary="Start the 5-working-day publicity (CR-4)",
    responses={
        200: {"description": "The batch in publicity.", **RECORD},
        **problem_responses(401, 403, 404, 409, 422, 429, 503),
    },
    response_class=Response,
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
        call=lambda: workflow.step(str(batch_id), "POST", paths.REGISTRY_BATCH_PUBLICITY, "publicity"),
    )


@router.post(
    "/batches/{batch_id}/approval",
    summary="Approve after publicity (officer of the body's district, or a city officer; CR-4)",
    responses={
        200: {"description": "The approved batch.", **RECORD},
        **problem_responses(401, 403, 404, 409, 422, 429, 503),
    },
    response_class=Response,
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
        call=lambda: workflow.step(str(batch_id), "POST", paths.REGISTRY_BATCH_APPROVAL, "approval"),
    )


@router.post(
    "/batches/{batch_id}/issue",
    status_code=201,
    summary="Issue numbered certificates to the reviewed, passing candidates (CR-1, CR-4)",
    responses={
        201: {"description": "Count and first/last number issued.", **RECORD},
        **problem_responses(401, 403, 404, 409, 422, 429, 503),
    },
    response_class=Response,
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
        call=lambda: workflow.step(str(batch_id), "POST", paths.REGISTRY_BATCH_ISSUE, "issue"),
        status_code=201,
    )
