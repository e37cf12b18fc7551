"""Verify the audit hash chain of the gateway or of one service on an inspector's behalf (CR-7 全程留痕).

Each service verifies its own chain at its internal ``/v1/audit/verify`` (the platform route, not relayed); the
gateway asks it with the inspector's own token, so the service checks the role again, and parses the answer into
the platform's report: an answer of another shape is a 502 naming the service.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.relay import json_or_problem
from gateway.relayed.table import RELAYED_SERVICES
from gateway.upstreams import Upstreams
from skills_shared.app import ChainReportModel
from skills_shared.audit import verify_chain
from skills_shared.auth import Principal
from skills_shared.contracts.parsing import parse_contract
from skills_shared.contracts.v1.gateway import AuditChainReport, AuditedService

SERVICE_AUDIT_PATH = "/v1/audit/verify"
SERVICE_OF = {AuditedService(s.prefix): s.service for s in RELAYED_SERVICES}
"""The service behind each public name (``registry`` → ``certificate-registry``, …)."""


async def own_chain(session: AsyncSession) -> AuditChainReport:
    """The gateway's own chain (workflow steps, ``trail.py``)."""
    report = ChainReportModel(**(await verify_chain(session)).__dict__)
    return AuditChainReport(service=AuditedService.GATEWAY, **report.model_dump())


async def service_chain(
    upstreams: Upstreams, principal: Principal, service: AuditedService
) -> AuditChainReport:
    """One service's chain, verified by that service."""
    name = SERVICE_OF[service]
    answer = json_or_problem(
        await upstreams.by_name(name).request("GET", SERVICE_AUDIT_PATH, token=principal.token)
    )
    report: ChainReportModel = parse_contract(ChainReportModel, answer, service=name)
    return AuditChainReport(service=service, **report.model_dump())
