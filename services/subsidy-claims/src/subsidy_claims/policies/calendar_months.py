"""Calendar-month and age arithmetic the policies' windows need (no working days here)."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later; a day the month lacks becomes its last day (31 Jan + 1 → 28/29 Feb).

    Used for the SH-4/SH-8/SH-9 periods: following 民法典 art. 201/202, a period of N months that starts on
    day S ends on the corresponding day N months later, which is still inside the period.
    """
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    day = start.day
    if day > 28:  # only the month's end can be missing; skip the calendar look-up otherwise
        day = min(day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def age_on(birth_date: date, on: date) -> int:
    """Full years of age on a day."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
