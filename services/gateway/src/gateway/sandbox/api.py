"""The sandbox business clock, for development and demos: read it, or move the whole suite's date forward.

Exists only when ``SKILLS_SANDBOX_CLOCK_FILE`` is set (``make run`` sets it; production refuses to start with it,
see ``skills_shared.clock.install_clock``). Every service reads the same file, so moving the date here lets a
publicity period or a review deadline pass for real, through the API alone.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from skills_shared.auth import Principal, Role, require
from skills_shared.clock import SYSTEM_CLOCK, Clock, ClockDep, SandboxClock, move_to, sandbox_path, today_of
from skills_shared.refusals import Refusal

router = APIRouter(prefix="/api/v1/sandbox", tags=["sandbox"])

Operator = Annotated[Principal, Depends(require(Role.CITY_OFFICER, Role.SERVICE))]


class SandboxClockMove(BaseModel):
    """The business date the suite should see from now on (Asia/Shanghai), never earlier than today's."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"today": "2027-01-20"}]})

    today: Annotated[StrictStr, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD")]


class SandboxClockState(BaseModel):
    """The sandbox date beside the real one."""

    today: date = Field(description="The business date every service now uses.")
    real_today: date = Field(description="Today by the wall clock, in Asia/Shanghai.")
    offset_days: int = Field(description="How many days the sandbox is ahead of real time.")


def _state(clock: Clock) -> SandboxClockState:
    today = today_of(clock)
    real = today_of(SYSTEM_CLOCK)
    return SandboxClockState(today=today, real_today=real, offset_days=(today - real).days)


@router.get("/clock", response_model=SandboxClockState, operation_id="sandbox.clock.read")
async def read_clock(clock: ClockDep) -> SandboxClockState:
    """The business date the suite runs on."""
    return _state(clock)


@router.post(
    "/clock",
    response_model=SandboxClockState,
    operation_id="sandbox.clock.move",
    responses={409: {"description": "The date asked for is earlier than the sandbox's current date."}},
)
async def move_clock(move: SandboxClockMove, clock: ClockDep, _: Operator) -> SandboxClockState:
    """Move the suite's business date forward to ``today`` (city officers and services only)."""
    try:
        target = date.fromisoformat(move.today)
    except ValueError:
        raise Refusal(None, "invalid_date", "日期不存在", field=("body", "today")) from None
    path = sandbox_path()
    if path is None:  # the router is only mounted with a sandbox; this guards a misconfiguration
        raise Refusal(None, "sandbox_disabled", "未启用沙盒时钟", status=404)
    try:
        move_to(path, target)
    except ValueError as exc:
        raise Refusal(None, "sandbox_backwards", str(exc), field=("body", "today"), status=409) from None
    if isinstance(clock, SandboxClock):
        clock.forget()
    return _state(clock)
