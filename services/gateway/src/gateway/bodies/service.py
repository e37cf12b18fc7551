"""File a body and change its status, through org-filing (which syncs the registry's issuer list itself)."""

from __future__ import annotations

from typing import Any

from gateway import paths
from gateway.bodies.rules import NEEDS_REASON, ReviewStep, StatusMove, require_officer_of_place
from gateway.keys import hop_key, workflow_key
from gateway.relay import json_or_problem
from gateway.upstreams import Upstreams
from skills_shared.auth import Principal


class BodyWorkflow:
    """Body filing steps; each downstream write carries its own derived key."""

    def __init__(self, upstreams: Upstreams, principal: Principal, key: str | None) -> None:
        self.org = upstreams.org_filing
        self.principal = principal
        self.key = workflow_key(key)

    async def apply(self, form: dict[str, Any]) -> dict[str, Any]:
        """Draft the application with the whole form, then submit it (OF-1, OF-3)."""
        draft = json_or_problem(
            await self.org.request(
                "POST",
                paths.ORG_APPLICATIONS,
                json=form,
                token=self.principal.token,
                idempotency_key=hop_key(self.key, "application-draft"),
            )
        )
        submitted: dict[str, Any] = json_or_problem(
            await self.org.request(
                "POST",
                paths.ORG_APPLICATION_SUBMIT.format(app_id=draft["id"]),
                token=self.principal.token,
                idempotency_key=hop_key(self.key, "application-submit"),
            )
        )
        return submitted

    async def review(self, app_id: int, step: ReviewStep, decision: dict[str, Any]) -> dict[str, Any]:
        """One step of the accepting department (OF-3); filing gives the code and receipt (OF-4).
        org-filing checks that the officer's place is the accepting one."""
        reviewed: dict[str, Any] = json_or_problem(
            await self.org.request(
                "POST",
                paths.ORG_APPLICATION_STEPS[step.value].format(app_id=app_id),
                json=decision,
                token=self.principal.token,
                idempotency_key=hop_key(self.key, step.value),
            )
        )
        return reviewed

    async def file_plan(self, code: str, plan: dict[str, Any]) -> dict[str, Any]:
        """A body files its batch plan (OF-5); staff of another body are refused here and again downstream."""
        self.principal.require_body(code)
        filed: dict[str, Any] = json_or_problem(
            await self.org.request(
                "POST",
                paths.ORG_BODY_PLANS.format(code=code),
                json=plan,
                token=self.principal.token,
                idempotency_key=hop_key(self.key, "plan"),
            )
        )
        return filed

    async def change_status(self, code: str, action: StatusMove, reason: str | None) -> dict[str, Any]:
        """Check the officer's district against the body's filing place, then make the move (OF-6, OF-7)."""
        body = json_or_problem(await self.org.request("GET", paths.ORG_BODY.format(code=code)))
        require_officer_of_place(self.principal, str(body.get("place_code")))
        moved: dict[str, Any] = json_or_problem(
            await self.org.request(
                "POST",
                paths.ORG_BODY_STATUS_MOVES[action.value].format(code=code),
                json={"reason": reason} if action in NEEDS_REASON else None,
                token=self.principal.token,
                idempotency_key=hop_key(self.key, f"status-{action.value}"),
            )
        )
        return moved
