"""Route of the subsidy application workflow (citizens)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from gateway.access import Citizen
from gateway.subsidy.service import SubsidyWorkflow
from gateway.trail import run_audited
from gateway.upstreams import UpstreamsDep
from skills_shared.contracts.v1.gateway import SubsidyApplication
from skills_shared.contracts.v1.subsidy import SubsidyClaim
from skills_shared.idempotency import RequiredIdempotencyDep
from skills_shared.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["subsidies"])


@router.post(
    "/subsidy-applications",
    operation_id="subsidies.apply",
    response_model=SubsidyClaim,
    status_code=201,
    summary="Apply for a subsidy: certificate verified with the registry, claim submitted, decision returned",
    responses=problem_responses(401, 403, 404, 409, 413, 422, 429, 502, 503),
)
async def apply_for_subsidy(
    data: SubsidyApplication, principal: Citizen, upstreams: UpstreamsDep, idem: RequiredIdempotencyDep
) -> Response:
    """Exactly once per Idempotency-Key, across the gateway and every hop."""
    workflow = SubsidyWorkflow(upstreams, principal, idem.key)
    return await run_audited(
        idem,
        principal,
        action="subsidy.applied",
        entity_type="claim",
        entity_id=lambda r: r.id,
        call=lambda: workflow.apply(data),
        status_code=201,
    )
