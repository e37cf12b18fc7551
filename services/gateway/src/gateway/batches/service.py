"""Issue certificates for a batch through the registry, which asks org-filing whether the plan allows it.

The gateway holds no batch rule: the registry opens a batch only when org-filing clears its plan (OF-5 filed on
time and standing, CR-3 inside the body's scope, OF-6 body active), on every route that opens one, so a refusal
reaches the caller with the same code and rule ID here as through the relay.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from gateway import paths
from gateway.bodies.rules import require_officer_of_place
from gateway.keys import hop_key, workflow_key
from gateway.relay import call
from gateway.upstreams import Upstreams
from skills_shared.auth import Principal, Role
from skills_shared.clients import service_path
from skills_shared.contracts.v1.gateway import BatchOpening
from skills_shared.contracts.v1.registry import BatchOpen, CertificateBatch
from skills_shared.problems import forbidden

M = TypeVar("M", bound=BaseModel)


class BatchWorkflow:
    """batch → results → publicity → approval → issue; each step a separate call because CR-4 puts at least
    five working days of publicity between opening a batch and approving it."""

    def __init__(self, upstreams: Upstreams, principal: Principal, key: str | None) -> None:
        self.registry = upstreams.registry
        self.principal = principal
        self.key = workflow_key(key)

    def _own_body(self) -> str:
        if self.principal.body is None:
            raise forbidden("令牌未绑定评价机构", code="forbidden_body")
        return self.principal.body

    async def open(self, data: BatchOpening) -> CertificateBatch:
        """The registry opens the batch of the caller's own body, once org-filing has cleared the plan."""
        opening = BatchOpen(body_code=self._own_body(), **data.model_dump())
        return await call(
            self.registry,
            CertificateBatch,
            "POST",
            paths.REGISTRY_BATCHES,
            json=opening.model_dump(mode="json"),
            token=self.principal.token,
            idempotency_key=hop_key(self.key, "batch"),
        )

    async def check_access(self, batch_id: str) -> CertificateBatch:
        """Object-level check before any move: staff of body A never touch a batch of body B; a district
        officer only batches of bodies filed in their district."""
        batch = await call(
            self.registry,
            CertificateBatch,
            "GET",
            service_path(paths.REGISTRY_BATCH, batch_id=batch_id),
            token=self.principal.token,
        )
        if self.principal.role in (Role.ORG_STAFF, Role.ORG_ADMIN):
            self.principal.require_body(batch.body_code)
        elif self.principal.role in (Role.DISTRICT_OFFICER, Role.CITY_OFFICER):
            require_officer_of_place(self.principal, batch.district_code)
        return batch

    async def step(
        self, batch_id: str, model: type[M], method: str, path: str, step: str, json: Any = None
    ) -> M:
        """One registry move on a batch the caller may act on."""
        await self.check_access(batch_id)
        moved: M = await call(
            self.registry,
            model,
            method,
            service_path(path, batch_id=batch_id),
            json=json,
            token=self.principal.token,
            idempotency_key=hop_key(self.key, step),
        )
        return moved
