"""The sandbox business clock: an operator moves the whole suite's date forward, never back, never in production."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI

from skills_shared.clock import (
    SANDBOX_FILE_ENV,
    FixedClock,
    SandboxClock,
    SandboxRefused,
    TodayDep,
    install_clock,
    move_to,
    process_clock,
    reset,
    today_of,
)
from skills_shared.testing import running_app

REAL = FixedClock(datetime(2026, 12, 7, 2, 0, tzinfo=UTC))  # 10:00 in Shanghai


def test_moving_forward_shifts_today_for_every_reader_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "clock.json"
    first, second = SandboxClock(path, base=REAL), SandboxClock(path, base=REAL)
    assert today_of(first) == date(2026, 12, 7)
    move_to(path, date(2026, 12, 21), base=REAL)
    first.forget()
    second.forget()
    assert today_of(first) == today_of(second) == date(2026, 12, 21)
    assert first.now() - REAL.now() == timedelta(days=14)  # the time of day stays real


def test_the_clock_never_moves_back(tmp_path: Path) -> None:
    path = tmp_path / "clock.json"
    move_to(path, date(2027, 1, 20), base=REAL)
    with pytest.raises(ValueError, match="只能向后"):
        move_to(path, date(2027, 1, 19), base=REAL)
    move_to(path, date(2027, 1, 20), base=REAL)  # staying put is allowed
    reset(path)
    clock = SandboxClock(path, base=REAL)
    assert today_of(clock) == date(2026, 12, 7)


async def test_a_service_reads_the_sandbox_date_once_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "clock.json"
    monkeypatch.setenv(SANDBOX_FILE_ENV, str(path))
    import skills_shared.clock as clock_module

    monkeypatch.setattr(clock_module, "_process_clock", [])
    app = FastAPI()

    @app.get("/today")
    async def _today(today: TodayDep) -> str:
        return today.isoformat()

    install_clock(app, "development")
    assert app.state.clock is process_clock()
    target = today_of(process_clock()) + timedelta(days=30)
    move_to(path, target)
    app.state.clock.forget()
    async with running_app(app) as client:
        assert (await client.get("/today")).json() == target.isoformat()


def test_production_refuses_to_start_on_a_sandbox_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SANDBOX_FILE_ENV, str(tmp_path / "clock.json"))
    with pytest.raises(SandboxRefused):
        install_clock(FastAPI(), "production")


def test_without_the_setting_the_app_keeps_real_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SANDBOX_FILE_ENV, raising=False)
    app = FastAPI()
    install_clock(app, "production")
    assert getattr(app.state, "clock", None) is None
