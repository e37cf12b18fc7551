"""Read and review a subsidy claim through the gateway: fetch, check who may act on it, then act."""

from __future__ import annotations

from typing import Any

from gateway import paths
from gateway.claims.rules import require_claim_access
from gateway.keys import hop_key, workflow_key
from gateway.relay import json_or_problem
from gateway.upstreams import Upstreams
from skills_shared.auth import Principal


class ClaimAccess:
    """A claim looked at or moved by one caller."""

    def __init__(self, upstreams: Upstreams, principal: Principal, key: str | None = None) -> None:
        self.subsidy = upstreams.subsidy
        self.principal = principal
        self.key = workflow_key(key)

    async def get(self, claim_id: str) -> dict[str, Any]:
        """The claim, after the object-level check."""
        claim: dict[str, Any] = json_or_problem(
            await self.subsidy.request(
                "GET", paths.SUBSIDY_CLAIM.format(claim_id=claim_id), token=self.principal.token
            )
        )
        require_claim_access(self.principal, claim)
        return claim

    async def move(self, claim_id: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
        """Approve or reject a claim of the officer's own district (CQ-4, SH-10)."""
        await self.get(claim_id)
        moved: dict[str, Any] = json_or_problem(
            await self.subsidy.request(
                "POST",
                paths.SUBSIDY_CLAIM_MOVES[action].format(claim_id=claim_id),
                json=body,
                token=self.principal.token,
                idempotency_key=hop_key(self.key, f"claim-{action}"),
            )
        )
        return moved
