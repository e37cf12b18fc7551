"""Public working-day calendar: the periods (P-1) and filing deadlines (P-2) the suite counts, so bodies can plan.

A day outside the calendar's years is answered with a P-3 refusal naming the year and the years covered, never
with a guess; an answer is given whenever every day it depends on is covered.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, TypeVar

from fastapi import APIRouter, Query

from org_filing.calendar.schemas import DeadlineOut, WorkingDaysOut
from org_filing.plans.rules import PLAN_LEAD_WORKING_DAYS
from skills_shared.problems import problem_responses
from skills_shared.validators import IsoDate
from skills_shared.workdays import (
    CalendarNotCovered,
    covered_years,
    earliest_event_date,
    filed_in_time,
    latest_filing_date,
    next_working_day_after,
)

router = APIRouter(prefix="/v1/calendar", tags=["calendar"])

MAX_DAYS = 250
T = TypeVar("T")


def _answer(field: str, make: Callable[[], T]) -> T:
    """Run a calendar computation; an uncovered day becomes P-3 naming the year and the years covered."""
    try:
        return make()
    except CalendarNotCovered as exc:
        raise exc.refusal(field=("query", field)) from None


@router.get(
    "/working-days",
    response_model=WorkingDaysOut,
    operation_id="calendar.working_days",
    summary="A period of N working days from a start day (P-1: the start day is not counted)",
    responses=problem_responses(409, 422),
)
async def working_days(
    start: Annotated[IsoDate, Query(description="The day the period starts (not counted), YYYY-MM-DD.")],
    n: Annotated[int, Query(ge=1, le=MAX_DAYS, description="Working days in the period, e.g. 5 for a 公示.")],
) -> WorkingDaysOut:
    def make() -> WorkingDaysOut:
        days = []
        d = start
        for _ in range(n):
            d = next_working_day_after(d)
            days.append(d)
        return WorkingDaysOut(
            rule="P-1",
            start=start,
            n=n,
            working_days=days,
            last_day=days[-1],
            next_day=days[-1] + timedelta(days=1),
            covered_years=covered_years(),
        )

    return _answer("n", make)


@router.get(
    "/deadline",
    response_model=DeadlineOut,
    operation_id="calendar.deadline",
    summary="The last day to file 'at least N working days before' an event (P-2), and whether a filing is on time",
    responses=problem_responses(409, 422),
)
async def deadline(
    event_date: Annotated[IsoDate, Query(description="The event day (e.g. the evaluation), YYYY-MM-DD.")],
    n: Annotated[
        int,
        Query(
            ge=1,
            le=MAX_DAYS,
            description=f"Working days of lead; {PLAN_LEAD_WORKING_DAYS} for a plan (OF-5).",
        ),
    ] = PLAN_LEAD_WORKING_DAYS,
    filed_on: Annotated[
        IsoDate | None, Query(description="A filing day to judge against the deadline, YYYY-MM-DD.")
    ] = None,
) -> DeadlineOut:
    out = DeadlineOut(rule="P-2", event_date=event_date, n=n, covered_years=covered_years())
    uncovered: set[int] = set()

    def attempt(make: Callable[[], date]) -> date | None:
        try:
            return make()
        except CalendarNotCovered as exc:
            uncovered.add(exc.year)
            return None

    if filed_on is None:
        out.latest_filing_date = _answer("event_date", lambda: latest_filing_date(event_date, n))
    else:
        # Whether the filing is on time needs only the days after it (P-3 only for those); the two dates
        # around it are given when the calendar holds the days they depend on.
        out.filed_on = filed_on
        out.on_time = _answer("filed_on", lambda: filed_in_time(filed_on, event_date, n))
        out.latest_filing_date = attempt(lambda: latest_filing_date(event_date, n))
        out.earliest_event_date = attempt(lambda: earliest_event_date(filed_on, n))
    out.uncovered_years = sorted(uncovered)
    return out
