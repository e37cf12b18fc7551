"""File a body and change its status, through org-filing (which syncs the registry's issuer list itself)."""

from __future__ import annotations

from pydantic import BaseModel

from gateway import paths
from gateway.bodies.rules import require_officer_of_place
from gateway.keys import hop_key, workflow_key
from gateway.relay import call
from gateway.upstreams import Upstreams
from skills_shared.auth import Principal
from skills_shared.clients import service_path
from skills_shared.contracts.v1.gateway import (
    MOVES_WITH_REASON,
    BodyApplication,
    BodyStatusChange,
    FilingApplicationRecord,
    PlanFiling,
)
from skills_shared.contracts.v1.org_filing import FilingBody, FilingPlan


class BodyWorkflow:
    """Body filing steps; each downstream write carries its own derived key."""

    def __init__(self, upstreams: Upstreams, principal: Principal, key: str | None) -> None:
        self.org = upstreams.org_filing
        self.principal = principal
        self.key = workflow_key(key)

    async def apply(self, form: BodyApplication) -> FilingApplicationRecord:
        """Draft the application with the whole form, then submit it (OF-1, OF-3)."""
        draft = await call(
            self.org,
            FilingApplicationRecord,
            "POST",
            paths.ORG_APPLICATIONS,
            json=form.model_dump(mode="json", exclude_none=True),
            token=self.principal.token,
            idempotency_key=hop_key(self.key, "application-draft"),
        )
        return await call(
            self.org,
            FilingApplicationRecord,
            "POST",
            service_path(paths.ORG_APPLICATION_SUBMIT, app_id=draft.id),
            token=self.principal.token,
            idempotency_key=hop_key(self.key, "application-submit"),
        )

    async def review(self, app_id: int, step: str, decision: BaseModel) -> FilingApplicationRecord:
        """One step of the accepting department (OF-3); filing gives the code and receipt (OF-4).
        org-filing checks that the officer's place is the accepting one."""
        return await call(
            self.org,
            FilingApplicationRecord,
            "POST",
            service_path(paths.ORG_APPLICATION_STEPS[step], app_id=app_id),
            json=decision.model_dump(mode="json", exclude_none=True),
            token=self.principal.token,
            idempotency_key=hop_key(self.key, step),
        )

    async def file_plan(self, code: str, plan: PlanFiling) -> FilingPlan:
        """A body files its batch plan (OF-5, decided by org-filing); staff of another body are refused here and
        again downstream."""
        self.principal.require_body(code)
        return await call(
            self.org,
            FilingPlan,
            "POST",
            service_path(paths.ORG_BODY_PLANS, code=code),
            json=plan.model_dump(mode="json", exclude_none=True),
            token=self.principal.token,
            idempotency_key=hop_key(self.key, "plan"),
        )

    async def change_status(self, code: str, change: BodyStatusChange) -> FilingBody:
        """Check the officer's district against the body's filing place, then make the move (OF-6, OF-7)."""
        body = await call(self.org, FilingBody, "GET", service_path(paths.ORG_BODY, code=code))
        require_officer_of_place(self.principal, body.district_code)
        return await call(
            self.org,
            FilingBody,
            "POST",
            service_path(paths.ORG_BODY_STATUS_MOVES[change.action.value], code=code),
            json={"reason": change.reason} if change.action in MOVES_WITH_REASON else None,
            token=self.principal.token,
            idempotency_key=hop_key(self.key, f"status-{change.action.value}"),
        )
