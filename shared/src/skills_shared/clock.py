"""The one business clock every service reads "now" and "today" from.

Business dates are Asia/Shanghai dates (DESIGN.md). Every rule that depends on the date (publicity periods,
review deadlines, plan lead times, campaign years) takes the date from this clock through ``TodayDep`` or
``ClockDep``, never from ``date.today()``: tests pin it with :class:`FixedClock` on ``app.state.clock``, and a
sandbox deployment may move it forward (the first-hour issue's sandbox clock), which production refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Protocol
from zoneinfo import ZoneInfo

from fastapi import Depends, Request

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    """Anything that tells the current instant (timezone-aware)."""

    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock stuck at one instant (tests, and replays of a past day's scheduled run)."""

    at: datetime

    def now(self) -> datetime:
        return self.at

    @classmethod
    def on(cls, day: date, hour: int = 10) -> FixedClock:
        """Ten o'clock Shanghai time on ``day``: the usual way a test pins a business date."""
        return cls(datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI))


SYSTEM_CLOCK = SystemClock()


def today_of(clock: Clock) -> date:
    """The business date in Asia/Shanghai."""
    return clock.now().astimezone(SHANGHAI).date()


def business_now() -> datetime:
    """Now on the process's clock outside a request (scheduled work); requests use ``ClockDep``."""
    return SYSTEM_CLOCK.now()


async def clock_of(request: Request) -> Clock:
    """The app's clock (``app.state.clock``), the system clock unless a test or the sandbox set another."""
    clock: Clock | None = getattr(request.app.state, "clock", None)
    return clock if clock is not None else SYSTEM_CLOCK


async def business_today(request: Request) -> date:
    """Today's business date on the app's clock."""
    return today_of(await clock_of(request))


ClockDep = Annotated[Clock, Depends(clock_of)]
TodayDep = Annotated[date, Depends(business_today)]
