"""The OF-5 plan check, asked of org-filing synchronously whenever a batch is opened.

Why synchronously and not from an outbox-fed copy of the plans: whether a plan allows a batch depends on
org-filing's data at that moment (the plan's standing, the body's status under supervision, its 贯通
registration, CR-3 scope, the working-day calendar), and those rules live in org-filing alone. A local copy would
be a second home for them and could be stale by exactly the days that matter. The price is that no batch opens
while org-filing is down: the caller gets a 503 naming org-filing and nothing is stored.

A refusal from org-filing (4xx problem+json) is passed on unchanged: same status, code, rule, field errors and
facts (``latest_filing_date`` …), so a client sees the same refusal whichever route opened the batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import ValidationError

from skills_shared.auth import ServiceTokens
from skills_shared.clients import ServiceClient, service_path
from skills_shared.contracts.parsing import ContractMismatch, parse_contract
from skills_shared.contracts.v1.org_filing import BatchPlanCheck, BatchPlanClearance
from skills_shared.problems import Problem, ProblemModel

ORG_FILING = "org-filing"
BATCH_CHECK_PATH = "/v1/plans/{plan_id}/batch-check"
_PROBLEM_MEMBERS = frozenset({"type", "title", "status", "detail", "code", "rule", "errors", "request_id"})


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def passed_on(response: httpx.Response) -> Problem:
    """org-filing's 4xx problem as our own, member for member (the request id becomes ours).

    A 4xx that is not a problem+json body breaks the contract: a 502 naming org-filing.
    """
    body = _json(response)
    if not isinstance(body, dict) or "code" not in body:
        return ContractMismatch(ORG_FILING, "problem+json", _not_a_problem())
    return Problem(
        response.status_code,
        str(body["code"]),
        str(body.get("detail", "")),
        title=body.get("title"),
        rule=body.get("rule"),
        errors=body.get("errors"),
        headers={k: v for k, v in response.headers.items() if k.lower() == "retry-after"},
        extra={k: v for k, v in body.items() if k not in _PROBLEM_MEMBERS},
    )


def _not_a_problem() -> ValidationError:
    try:
        ProblemModel.model_validate({})
    except ValidationError as exc:
        return exc
    raise AssertionError("an empty object is not a problem")


@dataclass
class PlanChecker:
    """org-filing's ``batch-check`` behind the shared client (timeouts, circuit breaker, 503 naming the service)."""

    client: ServiceClient
    tokens: ServiceTokens

    async def clear(self, plan_id: int, check: BatchPlanCheck) -> BatchPlanClearance:
        """The plan's clearance for the batch, or org-filing's refusal raised as a Problem."""
        response = await self.client.request(
            "POST",
            service_path(BATCH_CHECK_PATH, plan_id=plan_id),
            json=check.model_dump(mode="json"),
            token=self.tokens(),
        )
        if response.status_code >= 400:
            raise passed_on(response)
        return parse_contract(BatchPlanClearance, _json(response), service=ORG_FILING)

    async def aclose(self) -> None:
        await self.client.aclose()
