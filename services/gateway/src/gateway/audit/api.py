"""Route of audit-chain verification for inspectors: the gateway's chain and each service's (issue 17)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from gateway.audit.service import own_chain, service_chain
from gateway.upstreams import UpstreamsDep
from skills_shared.auth import Principal, Role, require
from skills_shared.contracts.v1.gateway import AuditChainReport, AuditedService
from skills_shared.db import ReadSessionDep
from skills_shared.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["audit"])

Inspector = Annotated[Principal, Depends(require(Role.INSPECTOR))]


@router.get(
    "/audit/{service}/verify",
    operation_id="audit.verify_chain",
    response_model=AuditChainReport,
    summary="Verify one service's audit hash chain (inspectors); names the first broken link (CR-7)",
    responses=problem_responses(401, 403, 422, 429, 502, 503),
)
async def verify_audit_chain(
    service: Annotated[AuditedService, Path(description="gateway, registry, filing, subsidy or voucher")],
    principal: Inspector,
    upstreams: UpstreamsDep,
    session: ReadSessionDep,
) -> AuditChainReport:
    """The service recomputes every link itself; a broken chain is ``ok: false``, not an error."""
    if service is AuditedService.GATEWAY:
        return await own_chain(session)
    return await service_chain(upstreams, principal, service)
