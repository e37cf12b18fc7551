"""Which business clock a started service process reads: `make run`'s shared sandbox date, or real time.

`make demo` leaves `make run`'s sandbox file a month ahead. `make run`'s processes share it on purpose; the bench and
the tests that start real processes date their own requests by today and must not read it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bench.infra import bench_service_env
from skills_shared.clock import SANDBOX_FILE_ENV, SandboxClock, move_to, sandbox_path, today_of
from skills_tools.run import service_env
from skills_tools.services import SERVICES

URL = "postgresql://x/y"


@pytest.fixture
def moved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A sandbox file a month ahead, named by the environment as `make run` names it."""
    path = tmp_path / "sandbox-clock.json"
    move_to(path, today_of(SandboxClock(path)) + timedelta(days=31))
    monkeypatch.setenv(SANDBOX_FILE_ENV, str(path))
    return path


def test_make_run_processes_share_the_moved_sandbox_date(moved: Path) -> None:
    assert service_env(SERVICES[0], URL, "127.0.0.1")[SANDBOX_FILE_ENV] == str(moved)


def test_a_process_started_on_real_time_does_not_read_the_sandbox_file(
    moved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = service_env(SERVICES[0], URL, "127.0.0.1", sandbox=False)
    assert env[SANDBOX_FILE_ENV] == ""
    monkeypatch.setenv(SANDBOX_FILE_ENV, env[SANDBOX_FILE_ENV])
    assert sandbox_path() is None  # what the service process then reads: the system clock


def test_the_bench_services_keep_real_time(moved: Path) -> None:
    assert bench_service_env(SERVICES[0], URL)[SANDBOX_FILE_ENV] == ""


def test_a_bench_step_may_still_give_its_services_a_sandbox_file_of_their_own(
    moved: Path, tmp_path: Path
) -> None:
    own = str(tmp_path / "own-clock.json")
    assert bench_service_env(SERVICES[0], URL, {SANDBOX_FILE_ENV: own})[SANDBOX_FILE_ENV] == own
