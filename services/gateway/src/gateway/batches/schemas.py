"""Wire shapes of the batch issuance workflow."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gateway.batches.rules import BodyFacts, PlanFacts, ScopeLine


class BatchOpenIn(BaseModel):
    """A batch under a filed plan; the body is the caller's own."""

    model_config = ConfigDict(extra="forbid")

    plan_id: int = Field(ge=1, description="ID of the plan filed with org-filing (OF-5)")
    occupation_code: str = Field(pattern=r"^[1-8]-[0-9]{2}-[0-9]{2}-[0-9]{2}$")
    occupation_name: str = Field(min_length=1, max_length=100)
    work_type: str | None = Field(default=None, min_length=1, max_length=100)
    level: int = Field(ge=1, le=5)
    evaluation_date: date
    method: str = Field(min_length=1, max_length=40, description="评价方式, as the registry names it")
    guantong: bool = False


def plan_facts(plan: dict[str, Any]) -> PlanFacts:
    """org-filing's PlanOut as plain facts."""
    return PlanFacts(
        id=int(plan["id"]),
        body_code=str(plan["body_code"]),
        status=str(plan.get("status", "")),
        occupation_code=str(plan["occupation_code"]),
        levels=frozenset(int(level) for level in plan.get("levels", [])),
        starts_on=date.fromisoformat(str(plan["starts_on"])),
        ends_on=date.fromisoformat(str(plan["ends_on"])),
        filed_on=date.fromisoformat(str(plan["filed_on"])),
        work_type=plan.get("work_type"),
    )


def body_facts(body: dict[str, Any]) -> BodyFacts:
    """org-filing's BodyOut as plain facts."""
    return BodyFacts(
        code=str(body["code"]),
        status=str(body.get("status", "")),
        scope=tuple(
            ScopeLine(
                occupation_code=str(line["occupation_code"]),
                levels=frozenset(int(level) for level in line.get("levels", [])),
                work_types=frozenset(str(w) for w in line.get("work_types", [])),
            )
            for line in body.get("scope", [])
        ),
    )
