"""Apply for a subsidy: verify the certificate with the registry, then draft and submit the claim."""

from __future__ import annotations

from typing import Any

from gateway import paths
from gateway.keys import hop_key, workflow_key
from gateway.relay import json_or_problem
from gateway.subsidy import rules
from gateway.subsidy.schemas import SubsidyApplicationIn
from gateway.upstreams import Upstreams
from skills_shared.auth import Principal


class SubsidyWorkflow:
    """Registry first: a down registry stops the workflow before anything exists anywhere."""

    def __init__(self, upstreams: Upstreams, principal: Principal, key: str | None) -> None:
        self.upstreams = upstreams
        self.principal = principal
        self.key = workflow_key(key)

    async def apply(self, data: SubsidyApplicationIn) -> dict[str, Any]:
        """Verify (GET, safe to retry), draft (keyed), submit (keyed): a retry replays what already happened."""
        lookup = await self.upstreams.registry.request(
            "GET",
            paths.REGISTRY_PUBLIC_LOOKUP.format(number=data.certificate_number),
            params={"id_number": self.principal.sub},
        )
        public_view = json_or_problem(lookup)
        rules.require_holder_name(public_view, data.holder_name)
        certificate = rules.verified_from_registry(public_view)
        rules.require_usable(certificate, data.policy)
        facts: dict[str, Any] = {
            "payout": data.payout,
            "declared_past_subsidies": data.declared_past_subsidies,
        }
        if data.cq is not None:
            facts["cq"] = data.cq
        if data.sh is not None:
            facts["sh"] = data.sh
        payload = rules.claim_payload(
            policy=data.policy,
            applicant_id=self.principal.sub,
            applicant_name=data.holder_name,
            certificate=certificate,
            facts=facts,
        )
        draft = json_or_problem(
            await self.upstreams.subsidy.request(
                "POST",
                paths.SUBSIDY_CLAIMS,
                json=payload,
                token=self.principal.token,
                idempotency_key=hop_key(self.key, "claim-draft"),
            )
        )
        submitted = json_or_problem(
            await self.upstreams.subsidy.request(
                "POST",
                paths.SUBSIDY_CLAIM_SUBMIT.format(claim_id=draft["id"]),
                token=self.principal.token,
                idempotency_key=hop_key(self.key, "claim-submit"),
            )
        )
        result: dict[str, Any] = submitted
        return result
