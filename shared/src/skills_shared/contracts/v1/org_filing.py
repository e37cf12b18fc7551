"""What org-filing answers other services (provider: org-filing).

``POST /v1/plans/{plan_id}/batch-check`` (service token) is how the registry learns, at the moment a batch is
opened, whether the plan behind it allows it. The rules (OF-5 plan filed, standing, on time, covering the batch's
occupation, level and date; CR-3 scope; OF-6 body active; OF-8 贯通 registration) live in org-filing alone; a
refusal comes back as org-filing's own problem+json (422/403 with ``rule`` and ``code``), which the registry
passes on unchanged, so every route that opens a batch refuses with the same code and rule ID.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class BatchPlanCheck(BaseModel):
    """The batch the registry is about to open, as org-filing needs it to judge the plan."""

    model_config = ConfigDict(
        extra="forbid",
        title="BatchPlanCheckV1",
        json_schema_extra={
            "examples": [
                {
                    "body_code": "S000050000001",
                    "occupation_code": "6-31-01-03",
                    "work_type": "维修电工",
                    "level": 4,
                    "evaluation_date": "2026-09-17",
                    "route": None,
                }
            ]
        },
    )

    body_code: str = Field(description="Filing code of the body opening the batch.")
    occupation_code: str
    work_type: str | None = Field(default=None, description="工种, when the occupation has them.")
    level: int = Field(ge=1, le=5)
    evaluation_date: date
    route: str | None = Field(
        default=None,
        description=(
            "Evaluation route, when the batch has one: `贯通` (or `guantong`) for a 贯通 evaluation, which only a "
            "registered 贯通 body may open under a 贯通 plan (OF-8); anything else is an ordinary batch."
        ),
    )


class BatchPlanClearance(BaseModel):
    """The plan allows the batch: the facts the registry records beside it."""

    model_config = ConfigDict(
        extra="forbid",
        title="BatchPlanClearanceV1",
        json_schema_extra={
            "examples": [
                {
                    "plan_id": 12,
                    "body_code": "S000050000001",
                    "occupation_code": "6-31-01-03",
                    "levels": [4, 5],
                    "starts_on": "2026-09-17",
                    "ends_on": "2026-09-18",
                    "filed_on": "2026-09-01",
                    "district_code": "00",
                    "title_specialties": [],
                }
            ]
        },
    )

    plan_id: int
    body_code: str
    occupation_code: str
    levels: list[int]
    starts_on: date
    ends_on: date
    filed_on: date
    district_code: str = Field(description="The filing place of the body (CR-1 place code).")
    title_specialties: list[str] = Field(
        default_factory=list,
        description=(
            "For a 贯通 batch: the professional-title specialties the body's 贯通 registration maps to this "
            "occupation and level (seed 002 七(一)); empty for an ordinary batch."
        ),
    )
