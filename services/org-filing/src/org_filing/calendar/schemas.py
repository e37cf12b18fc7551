"""Answers of the public working-day calendar (P-1 periods, P-2 deadlines), each with the years it can answer for."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


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
