"""Apply for a subsidy: the certificate from the registry, then the claim drafted and submitted."""

from __future__ import annotations

from gateway import paths
from gateway.keys import hop_key, workflow_key
from gateway.relay import call
from gateway.subsidy import rules
from gateway.upstreams import Upstreams
from skills_shared.auth import Principal
from skills_shared.clients import service_path
from skills_shared.contracts.v1.gateway import SubsidyApplication
from skills_shared.contracts.v1.registry import PublicCertificate
from skills_shared.contracts.v1.subsidy import SubsidyClaim
from skills_shared.problems import Problem


class SubsidyWorkflow:
    """Registry first: a down registry stops the workflow before anything exists anywhere."""

    def __init__(self, upstreams: Upstreams, principal: Principal, key: str | None) -> None:
        self.upstreams = upstreams
        self.principal = principal
        self.key = workflow_key(key)

    async def apply(self, data: SubsidyApplication) -> SubsidyClaim:
        """Look up (GET, safe to retry), draft (keyed), submit (keyed): a retry replays what already happened."""
        public_view = await call(
            self.upstreams.registry,
            PublicCertificate,
            "GET",
            service_path(paths.REGISTRY_PUBLIC_LOOKUP, number=data.certificate_number),
            params={"id_number": self.principal.sub},
        )
        draft = rules.claim_draft(data, self.principal.sub, rules.declared_certificate(public_view))
        subsidy = self.upstreams.subsidy
        drafted = await call(
            subsidy,
            SubsidyClaim,
            "POST",
            paths.SUBSIDY_CLAIMS,
            json=draft.model_dump(mode="json", exclude_none=True),
            token=self.principal.token,
            idempotency_key=hop_key(self.key, "claim-draft"),
        )
        try:
            return await call(
                subsidy,
                SubsidyClaim,
                "POST",
                service_path(paths.SUBSIDY_CLAIM_SUBMIT, claim_id=drafted.id),
                token=self.principal.token,
                idempotency_key=hop_key(self.key, "claim-submit"),
            )
        except Problem as refused:
            # The draft stays, the citizen's to see and submit again (purged by subsidy-claims when abandoned):
            # the refusal names it so nobody has to hunt for it (issue 20, item 8; docs/decisions.md).
            refused.extra.setdefault("draft_claim_id", str(drafted.id))
            raise
