"""The service's notion of "now": Asia/Shanghai business dates, replaceable so rules about dates can be tested."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Protocol
from zoneinfo import ZoneInfo

from fastapi import Depends, Request

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock stuck at one instant (tests, and replays of a past day's lapse run)."""

    at: datetime

    def now(self) -> datetime:
        return self.at


def today_of(clock: Clock) -> date:
    """The business date in Asia/Shanghai (DESIGN.md: business dates are Shanghai dates)."""
    return clock.now().astimezone(SHANGHAI).date()


async def clock_of(request: Request) -> Clock:
    """The app's clock (``app.state.clock``), the system clock unless a test set another."""
    clock: Clock | None = getattr(request.app.state, "clock", None)
    return clock if clock is not None else SystemClock()


ClockDep = Annotated[Clock, Depends(clock_of)]
