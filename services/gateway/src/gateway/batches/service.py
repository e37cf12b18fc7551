"""Issue certificates for a batch: org-filing vouches for the plan and the body, the registry does the rest."""

from __future__ import annotations

from typing import Any

from gateway import paths
from gateway.batches import rules
from gateway.batches.schemas import BatchOpenIn, body_facts, plan_facts
from gateway.bodies.rules import require_officer_of_place
from gateway.keys import hop_key, workflow_key
from gateway.relay import json_or_problem
from gateway.upstreams import Upstreams
from skills_shared.auth import Principal, Role
from skills_shared.problems import forbidden


class BatchWorkflow:
    """batch → results → publicity → approval → issue; each step a separate call because CR-4 puts at least
    five working days of publicity between opening a batch and approving it."""

    def __init__(self, upstreams: Upstreams, principal: Principal, key: str | None) -> None:
        self.upstreams = upstreams
        self.principal = principal
        self.key = workflow_key(key)

    def _own_body(self) -> str:
        if self.principal.body is None:
            raise forbidden("令牌未绑定评价机构", code="forbidden_body")
        return self.principal.body

    async def open(self, data: BatchOpenIn) -> dict[str, Any]:
        """OF-5 / CR-3 / OF-6 checks with org-filing, then the registry creates the batch."""
        body_code = self._own_body()
        org = self.upstreams.org_filing
        plan = plan_facts(
            json_or_problem(
                await org.request(
                    "GET", paths.ORG_PLAN.format(plan_id=data.plan_id), token=self.principal.token
                )
            )
        )
        body = body_facts(json_or_problem(await org.request("GET", paths.ORG_BODY.format(code=body_code))))
        rules.gate(
            plan,
            body,
            rules.BatchRequest(
                body_code=body_code,
                occupation_code=data.occupation_code,
                level=data.level,
                evaluation_date=data.evaluation_date,
                work_type=data.work_type,
            ),
        )
        payload = {
            "body_code": body_code,
            "plan_ref": str(data.plan_id),
            "occupation_code": data.occupation_code,
            "occupation_name": data.occupation_name,
            "work_type": data.work_type,
            "level": data.level,
            "evaluation_date": data.evaluation_date.isoformat(),
            "method": data.method,
            "guantong": data.guantong,
        }
        created: dict[str, Any] = json_or_problem(
            await self.upstreams.registry.request(
                "POST",
                paths.REGISTRY_BATCHES,
                json=payload,
                token=self.principal.token,
                idempotency_key=hop_key(self.key, "batch"),
            )
        )
        return created

    async def check_access(self, batch_id: str) -> dict[str, Any]:
        """Object-level check before any move: staff of body A never touch a batch of body B; a district
        officer only batches of bodies filed in their district."""
        batch: dict[str, Any] = json_or_problem(
            await self.upstreams.registry.request(
                "GET", paths.REGISTRY_BATCH.format(batch_id=batch_id), token=self.principal.token
            )
        )
        if self.principal.role in (Role.ORG_STAFF, Role.ORG_ADMIN):
            self.principal.require_body(str(batch["body_code"]))
        elif self.principal.role is Role.DISTRICT_OFFICER:
            body = json_or_problem(
                await self.upstreams.org_filing.request("GET", paths.ORG_BODY.format(code=batch["body_code"]))
            )
            require_officer_of_place(self.principal, str(body.get("place_code")))
        return batch

    async def step(
        self, batch_id: str, method: str, path: str, step: str, json: Any = None
    ) -> dict[str, Any]:
        """One registry move on a batch the caller may act on."""
        await self.check_access(batch_id)
        moved: dict[str, Any] = json_or_problem(
            await self.upstreams.registry.request(
                method,
                path.format(batch_id=batch_id),
                json=json,
                token=self.principal.token,
                idempotency_key=hop_key(self.key, step),
            )
        )
        return moved
