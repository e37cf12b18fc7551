"""`make demo`: the suite as `make run` starts it, with the demo world loaded, until Ctrl-C.

When the suite is already running (`make run` in another terminal), the world is loaded into it and the command
returns. Either way the world goes in through the gateway's API (`load.py`), and a second `make demo` changes
nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx

from skills_shared.clock import SANDBOX_FILE_ENV, SandboxClock, today_of
from skills_shared.testing import synthetic_calendar_for_uncovered_years
from skills_shared.workdays import CALENDAR_FILE_ENV, reset_loaded_calendars
from skills_tools import run
from skills_tools.database import REPO_ROOT, DatabaseUnavailable, check_reachable, embedded_server_url
from skills_tools.demo.api import DemoError
from skills_tools.demo.guide import describe, write_env
from skills_tools.demo.load import World, load_world
from skills_tools.services import SERVICES

DEMO_DIR_ENV = "SKILLS_DEMO_DIR"
"""Where the demo keeps its summary, shell file and synthetic calendar (default .data/demo; tests use their own)."""


def demo_dir() -> Path:
    value = os.environ.get(DEMO_DIR_ENV, "").strip()
    return Path(value) if value else REPO_ROOT / ".data" / "demo"


CALENDAR_NOTE = (
    "{years} not covered by chinesecalendar: the demo's services count working days of {years} on a "
    "SYNTHETIC calendar ({path}: Monday–Friday, no holidays, no 调休), demo only — production refuses "
    "such dates (P-3) until an operator supplies the official schedule in SKILLS_CALENDAR_FILE"
)


def demo_calendar(today: date, folder: Path) -> str:
    """Point SKILLS_CALENDAR_FILE at a synthetic calendar for the uncovered years the demo walks into.

    The world needs about six weeks of working days from today (a plan's 10, two publicity periods of 5, the
    README's last one); in December that reaches a year the library does not cover yet, and P-3 refuses it.
    The demo's own processes then count those days Monday to Friday, and say so. Returns the note ("" when
    nothing was needed or the operator named a file already).
    """
    if os.environ.get(CALENDAR_FILE_ENV):
        return ""
    path = synthetic_calendar_for_uncovered_years(today, folder / "demo-calendar.json", years_ahead=1)
    if path is None:
        return ""
    os.environ[CALENDAR_FILE_ENV] = str(path)
    reset_loaded_calendars()
    years = ", ".join(json.loads(path.read_text("utf-8")))
    return CALENDAR_NOTE.format(years=years, path=path)


def gateway_url(host: str) -> str:
    return f"http://{host}:{run.port_of(SERVICES[0])}"


def suite_running(host: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(f"{gateway_url(host)}/readyz", timeout=2).status_code == 200
    return False


def load_and_print(gateway: str, folder: Path, calendar_note: str) -> World:
    """Load (or find) the world, write the shell file, print the guide; returns the world."""
    started = time.perf_counter()
    world, loaded_now = asyncio.run(load_world(gateway, folder))
    seconds = time.perf_counter() - started
    if loaded_now and calendar_note:
        world.calendar_note = calendar_note
        world.save(folder / "world.json")
    env_file = folder / "env.sh"
    write_env(env_file, world, gateway)
    print(describe(world, env_file, loaded_now, seconds), flush=True)
    return world


def main(host: str = "127.0.0.1") -> int:
    """Start the suite with the world loaded and serve until Ctrl-C (or load into a running suite)."""
    if suite_running(host):
        # Loading into a suite started by `make run`: its processes have no synthetic calendar, so a world that
        # walks into an uncovered year is refused by them (P-3) with the reason; this process counts the same.
        today = today_of(SandboxClock(Path(os.environ.get(SANDBOX_FILE_ENV) or run.sandbox_file())))
        demo_calendar(today, demo_dir())
        try:
            load_and_print(gateway_url(host), demo_dir(), "")
        except DemoError as exc:
            print(f"make demo: {exc}", file=sys.stderr)
            return 1
        return 0
    procs: dict[str, subprocess.Popen[bytes]] = {}
    folder = demo_dir()
    logs = folder / "logs" if os.environ.get(DEMO_DIR_ENV) else REPO_ROOT / ".data" / "logs"
    logs.mkdir(parents=True, exist_ok=True)

    run.stop_on_signals()
    try:
        taken = [f"{s.name} :{run.port_of(s)}" for s in SERVICES if run.port_taken(run.port_of(s), host)]
        if taken:
            raise run.RunError(f"port already in use: {', '.join(taken)}")
        server_url = os.environ.get("DATABASE_URL")
        if server_url:
            check_reachable(server_url)
        else:
            server_url = embedded_server_url("pg")
        os.environ.setdefault(SANDBOX_FILE_ENV, str(run.sandbox_file()))
        today = today_of(SandboxClock(Path(os.environ[SANDBOX_FILE_ENV])))
        note = demo_calendar(today, folder)
        urls = run.prepare(server_url)
        for spec in SERVICES:
            procs[spec.name] = run.start(spec, urls[spec.name], host, logs)
        run.wait_healthy(procs, host, logs)
        load_and_print(gateway_url(host), folder, note)
        print(
            f"\nthe suite serves at {gateway_url(host)} (docs: {gateway_url(host)}/docs)   stop: Ctrl-C",
            flush=True,
        )
        while True:
            for name, p in procs.items():
                if p.poll() is not None:
                    raise run.RunError(f"{name} stopped unexpectedly (exit {p.returncode}); see .data/logs/")
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
        return 0
    except (run.RunError, DatabaseUnavailable, DemoError) as exc:
        print(f"make demo: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        run.stop_all(procs)
