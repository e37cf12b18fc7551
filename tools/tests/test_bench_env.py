"""The bench's service processes keep real time, whatever sandbox date `make run` and `make demo` left behind."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bench.infra import bench_service_env
from skills_shared.clock import SANDBOX_FILE_ENV, SandboxClock, move_to, sandbox_path, today_of
from skills_tools.run import service_env
from skills_tools.services import SERVICES


def test_a_moved_sandbox_date_does_not_reach_the_bench_services(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    moved = tmp_path / "sandbox-clock.json"
    clock = SandboxClock(moved)
    move_to(moved, today_of(clock) + timedelta(days=31))  # what `make demo` leaves in .data
    monkeypatch.setenv(SANDBOX_FILE_ENV, str(moved))
    spec = SERVICES[0]

    # `skills run` shares the moved date with every process it starts; the bench must not.
    assert service_env(spec, "postgresql://x/y", "127.0.0.1")[SANDBOX_FILE_ENV] == str(moved)
    env = bench_service_env(spec, "postgresql://x/y")
    assert env[SANDBOX_FILE_ENV] == ""
    monkeypatch.setenv(SANDBOX_FILE_ENV, env[SANDBOX_FILE_ENV])
    assert sandbox_path() is None  # the service process then runs on the system clock


def test_a_bench_step_may_still_give_its_services_a_sandbox_file_of_their_own(tmp_path: Path) -> None:
    own = str(tmp_path / "own-clock.json")
    env = bench_service_env(SERVICES[0], "postgresql://x/y", {SANDBOX_FILE_ENV: own})
    assert env[SANDBOX_FILE_ENV] == own
