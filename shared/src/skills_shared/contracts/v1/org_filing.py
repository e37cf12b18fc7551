"""What org-filing answers other services (provider: org-filing): the batch check, a body's public record and a
filed plan. org-filing uses these as its response models, so a consumer parsing them sees exactly what it sends.

``POST /v1/plans/{plan_id}/batch-check`` (service token) is how the registry learns, at the moment a batch is
opened, whether the plan behind it allows it. The rules (OF-5 plan filed, standing, on time, covering the batch's
occupation, level and date; CR-3 scope; OF-6 body active; OF-8 贯通 registration) live in org-filing alone; a
refusal comes back as org-filing's own problem+json (422/403 with ``rule`` and ``code``), which the registry
passes on unchanged, so every route that opens a batch refuses with the same code and rule ID.
"""

from __future__ import annotations

from datetime import date, datetime

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


class FilingScopeLine(BaseModel):
    """One filed occupation of a body: its 工种 (empty: any) and levels (CR-3)."""

    model_config = ConfigDict(extra="forbid", title="FilingScopeLineV1")

    occupation_code: str
    occupation_name: str
    work_types: list[str]
    levels: list[int]


class FilingBody(BaseModel):
    """A filed body's public record (``GET /v1/bodies/{code}``; seed 001 二(三) published for query): the facts
    the gateway and other services act on. No personal data."""

    model_config = ConfigDict(extra="forbid", title="FilingBodyV1")

    code: str = Field(description="13-character filing code (OF-4, CR-1 positions 1–13).")
    name: str = Field(description="Name exactly as filed (printed on certificates).")
    credit_code: str
    district_code: str = Field(
        description="The filing district (备案地): 00 the city centre, 01–41 a district."
    )
    district_name: str
    level_scope: str = Field(description="city (levels 1–5) or district (3–5), CR-3.")
    status: str = Field(
        description="active, suspended or cancelled (a merged body is cancelled with merged_into)."
    )
    registered_address: str
    office_address: str
    legal_representative: str
    valid_from: date
    valid_to: date
    filed_on: date
    extended: bool = Field(description="The validity was extended once (OF-6).")
    merged_into: str | None = None
    cancelled_on: date | None = None
    scope: list[FilingScopeLine]


class FilingPlanPerson(BaseModel):
    """A person named in a plan, ID number masked."""

    model_config = ConfigDict(extra="forbid", title="FilingPlanPersonV1")

    name: str
    id_number: str = Field(description="身份证号（脱敏）")
    role: str | None = None


class FilingPlan(BaseModel):
    """A filed batch plan (OF-5): what, when, where, how and who (seed 001 二(四)1)."""

    model_config = ConfigDict(extra="forbid", title="FilingPlanV1")

    id: int
    body_code: str
    body_status: str
    name: str
    is_guantong: bool
    occupation_code: str
    work_type: str | None
    levels: list[int]
    starts_on: date
    ends_on: date
    venue: str
    sessions: int
    method: str
    candidate_count: int
    candidates: list[FilingPlanPerson]
    assessors: list[FilingPlanPerson]
    supervisors: list[FilingPlanPerson]
    filed_on: date
    status: str = Field(description="filed (standing) or withdrawn.")
    created_at: datetime


# The public working-day calendar (org-filing ``/v1/calendar``), relayed by the gateway at ``/api/v1/calendar``.
class WorkingDaysOut(BaseModel):
    """P-1: a period of N working days that starts on ``start`` (the start day itself is not counted)."""

    model_config = ConfigDict(
        title="WorkingDayPeriod",
        json_schema_extra={
            "examples": [
                {
                    "rule": "P-1",
                    "start": "2025-09-30",
                    "n": 5,
                    "working_days": ["2025-10-09", "2025-10-10", "2025-10-11", "2025-10-13", "2025-10-14"],
                    "last_day": "2025-10-14",
                    "next_day": "2025-10-15",
                    "covered_years": [2025, 2026],
                }
            ]
        },
    )

    rule: str = Field(description="The rule that counts the period (P-1).")
    start: date
    n: int
    working_days: list[date] = Field(description="The N working days of the period, in order.")
    last_day: date = Field(description="The period's last day (the N-th working day after start).")
    next_day: date = Field(description="The first day after the period: when the next step may happen.")
    covered_years: list[int] = Field(
        description="Years the calendar holds (holidays and 调休); P-3 outside them."
    )


class DeadlineOut(BaseModel):
    """P-2: what "at least N working days before the event" means for one event day."""

    model_config = ConfigDict(
        title="WorkingDayDeadline",
        json_schema_extra={
            "examples": [
                {
                    "rule": "P-2",
                    "event_date": "2026-10-20",
                    "n": 10,
                    "latest_filing_date": "2026-09-30",
                    "filed_on": "2026-10-08",
                    "on_time": False,
                    "earliest_event_date": "2026-10-21",
                    "uncovered_years": [],
                    "covered_years": [2025, 2026],
                }
            ]
        },
    )

    rule: str = Field(description="The rule that counts the deadline (P-2).")
    event_date: date
    n: int
    latest_filing_date: date | None = Field(
        default=None,
        description="The last working day a filing for the event is on time (null only when ``filed_on`` is "
        "given and this day depends on a year listed in ``uncovered_years``).",
    )
    filed_on: date | None = Field(default=None, description="The filing day asked about, when given.")
    on_time: bool | None = Field(default=None, description="Whether a filing on ``filed_on`` is on time.")
    earliest_event_date: date | None = Field(
        default=None, description="The first event day a filing on ``filed_on`` allows."
    )
    uncovered_years: list[int] = Field(
        default_factory=list,
        description="Years a date left null here depends on, not yet in the calendar (P-3).",
    )
    covered_years: list[int] = Field(
        description="Years the calendar holds (holidays and 调休); P-3 outside them."
    )
