"""The one business clock every service reads "now" and "today" from.

Business dates are Asia/Shanghai dates (DESIGN.md). Every rule that depends on the date (publicity periods,
review deadlines, plan lead times, campaign years) takes the date from this clock through ``TodayDep`` or
``ClockDep``, never from ``date.today()``: tests pin it with :class:`FixedClock` on ``app.state.clock``, and a
sandbox deployment may move it forward (the first-hour issue's sandbox clock), which production refuses.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Protocol
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, Request

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
    return process_clock().now()


_process_clock: list[Clock] = []


def process_clock() -> Clock:
    """The clock of work that runs outside a request: the sandbox clock when one is configured, else real time."""
    if not _process_clock:
        path = sandbox_path()
        _process_clock.append(SandboxClock(path) if path is not None else SYSTEM_CLOCK)
    return _process_clock[0]


async def clock_of(request: Request) -> Clock:
    """The app's clock (``app.state.clock``), the system clock unless a test or the sandbox set another."""
    clock: Clock | None = getattr(request.app.state, "clock", None)
    return clock if clock is not None else SYSTEM_CLOCK


async def business_today(request: Request) -> date:
    """Today's business date on the app's clock."""
    return today_of(await clock_of(request))


ClockDep = Annotated[Clock, Depends(clock_of)]
TodayDep = Annotated[date, Depends(business_today)]


SANDBOX_FILE_ENV = "SKILLS_SANDBOX_CLOCK_FILE"
"""Where a development or demo deployment keeps the sandbox business date; unset means real time."""


class SandboxRefused(RuntimeError):
    """The sandbox clock was configured where it must never run (production)."""


class SandboxClock:
    """Real time moved forward by an offset an operator sets, shared by every process of the suite through a file.

    Publicity periods and review deadlines are working days long; a demo or an acceptance test cannot wait them
    out, and editing the database is no way to show a system. The operator moves the business date forward
    (``POST /api/v1/sandbox/clock`` or ``skills clock``); every service reads the same file, so the suite moves
    together. The file holds the offset in seconds (JSON); it is re-read at most once a second. Production refuses
    to start with it configured (:func:`install_clock`).
    """

    def __init__(self, path: Path, base: Clock = SYSTEM_CLOCK) -> None:
        self.path = path
        self.base = base
        self._offset = timedelta(0)
        self._checked_at = -1.0
        self._mtime = -1.0

    def offset(self) -> timedelta:
        """The current offset (re-read when the file changed, at most once a second)."""
        now = time.monotonic()
        if now - self._checked_at >= 1.0:
            self._checked_at = now
            try:
                mtime = self.path.stat().st_mtime
            except FileNotFoundError:
                self._offset, self._mtime = timedelta(0), -1.0
            else:
                if mtime != self._mtime:
                    self._mtime = mtime
                    self._offset = read_offset(self.path)
        return self._offset

    def now(self) -> datetime:
        return self.base.now() + self.offset()

    def forget(self) -> None:
        """Re-read the file on the next call (after this process wrote it)."""
        self._checked_at = -1.0


def read_offset(path: Path) -> timedelta:
    """The offset stored in ``path`` (none when the file is missing or empty)."""
    try:
        text = path.read_text("utf-8").strip()
    except FileNotFoundError:
        return timedelta(0)
    return timedelta(seconds=float(json.loads(text)["offset_seconds"])) if text else timedelta(0)


def move_to(path: Path, target: date, base: Clock = SYSTEM_CLOCK) -> timedelta:
    """Set the sandbox so that today is ``target`` (Shanghai), never earlier than the sandbox's current date.

    Only forward: records dated "today" must not end up in the future of a clock moved back. Written atomically
    (a temporary file renamed over the old one), so a reading process never sees half a file.
    """
    current = today_of(_offset_clock(base, read_offset(path)))
    if target < current:
        raise ValueError(f"沙盒日期只能向后调整：当前为 {current.isoformat()}，不能调到 {target.isoformat()}")
    real = base.now().astimezone(SHANGHAI)
    offset = timedelta(days=(target - real.date()).days)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps({"offset_seconds": offset.total_seconds(), "today": target.isoformat()}), "utf-8"
    )
    tmp.replace(path)
    return offset


def reset(path: Path) -> None:
    """Back to real time (a fresh start of a demo world)."""
    path.unlink(missing_ok=True)


@dataclass
class _OffsetClock:
    base: Clock
    delta: timedelta

    def now(self) -> datetime:
        return self.base.now() + self.delta


def _offset_clock(base: Clock, delta: timedelta) -> Clock:
    return _OffsetClock(base, delta)


def sandbox_path() -> Path | None:
    """The sandbox file named by ``SKILLS_SANDBOX_CLOCK_FILE``, or None."""
    value = os.environ.get(SANDBOX_FILE_ENV, "").strip()
    return Path(value) if value else None


def install_clock(app: FastAPI, environment: str) -> None:
    """Give the app the sandbox clock when one is configured; refuse to start with it in production."""
    path = sandbox_path()
    if path is None:
        return
    if environment == "production":
        raise SandboxRefused(f"{SANDBOX_FILE_ENV} is set: a production process never runs on a sandbox clock")
    app.state.clock = process_clock()
