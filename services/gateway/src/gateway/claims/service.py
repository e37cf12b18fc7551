"""Read and review a subsidy claim through the gateway: fetch, check who may act on it, then act."""

from __future__ import annotations

from pydantic import BaseModel

from gateway import paths
from gateway.claims.rules import require_claim_access
from gateway.keys import hop_key, workflow_key
from gateway.relay import call
from gateway.upstreams import Upstreams
from skills_shared.auth import Principal
from skills_shared.clients import service_path
from skills_shared.contracts.v1.subsidy import SubsidyClaim


class ClaimAccess:
    """A claim looked at or moved by one caller."""

    def __init__(self, upstreams: Upstreams, principal: Principal, key: str | None = None) -> None:
        self.subsidy = upstreams.subsidy
        self.principal = principal
        self.key = workflow_key(key)

    async def get(self, claim_id: str) -> SubsidyClaim:
        """The claim, after the object-level check."""
        claim = await call(
            self.subsidy,
            SubsidyClaim,
            "GET",
            service_path(paths.SUBSIDY_CLAIM, claim_id=claim_id),
            token=self.principal.token,
        )
        require_claim_access(self.principal, claim)
        return claim

    async def move(self, claim_id: str, action: str, body: BaseModel) -> SubsidyClaim:
        """Approve or reject a claim of the officer's own district (CQ-4, SH-10)."""
        await self.get(claim_id)
        return await call(
            self.subsidy,
            SubsidyClaim,
            "POST",
            service_path(paths.SUBSIDY_CLAIM_MOVES[action], claim_id=claim_id),
            json=body.model_dump(mode="json", exclude_none=True),
            token=self.principal.token,
            idempotency_key=hop_key(self.key, f"claim-{action}"),
        )
