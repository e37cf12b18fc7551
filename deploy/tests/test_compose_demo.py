"""deploy/compose.demo.yml, the override the container smoke test loads the demo world with, agrees with the code:
the variables are the ones the clock and the calendar read, only the gateway may move the clock, and the base
compose file (what operators run) has no sandbox clock at all."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from skills_shared.clock import SANDBOX_FILE_ENV
from skills_shared.workdays import CALENDAR_FILE_ENV
from skills_tools.services import SERVICES

from .test_compose import interpolate


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def module(path: Path) -> ModuleType:
    """A script of deploy/ (not a package), for its constants."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, loaded)  # its dataclasses look themselves up there
    spec.loader.exec_module(loaded)
    return loaded


@pytest.fixture(scope="module")
def override(repo_root: Path) -> dict[str, Any]:
    return load(repo_root / "deploy" / "compose.demo.yml")


def test_the_override_touches_the_suite_only(override: dict[str, Any]) -> None:
    assert set(override["services"]) == {s.name for s in SERVICES}


def test_every_service_reads_one_sandbox_clock_and_the_demo_calendar(
    override: dict[str, Any], repo_root: Path
) -> None:
    smoke = module(repo_root / "deploy" / "smoke.py")
    demo = module(repo_root / "deploy" / "smoke_demo.py")
    for name, service in override["services"].items():
        env = service["environment"]
        assert set(env) == {SANDBOX_FILE_ENV, CALENDAR_FILE_ENV}, name
        assert env[SANDBOX_FILE_ENV] == f"{smoke.DEMO_MOUNT}/{demo.SANDBOX_NAME}"
        assert interpolate(env[CALENDAR_FILE_ENV]) == "", "no calendar file unless the smoke test wrote one"
        written = f"{smoke.DEMO_MOUNT}/{demo.CALENDAR_NAME}"
        assert interpolate(env[CALENDAR_FILE_ENV], {"SKILLS_COMPOSE_DEMO_CALENDAR": written}) == written
        (volume,) = service["volumes"]
        required = re.fullmatch(r"\$\{SKILLS_COMPOSE_DEMO_DIR:\?[^}]+\}(:.*)", volume)
        assert required, f"{name}: compose refuses to start without the folder ({volume})"
        source, target, *options = ("/host/demo" + required[1]).split(":")
        assert (source, target) == ("/host/demo", smoke.DEMO_MOUNT), name
        assert options == ([] if name == "gateway" else ["ro"]), f"{name}: only the gateway moves the clock"


def test_the_base_compose_file_runs_on_real_time(repo_root: Path) -> None:
    base = load(repo_root / "docker-compose.yml")
    for name, service in base["services"].items():
        assert SANDBOX_FILE_ENV not in service.get("environment", {}), name
        assert CALENDAR_FILE_ENV not in service.get("environment", {}), name
