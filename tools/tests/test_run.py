"""`skills run` end to end: five real uvicorn processes on real PostgreSQL, readiness, clean stop, clear failures."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import httpx
import psutil
import pytest

from skills_shared.testing import admin_url
from skills_tools.database import DatabaseUnavailable, check_reachable, redact
from skills_tools.services import SERVICES

OFFSET = 150  # keeps the test clear of a developer's own `make run` on 8000-8004


def run_env(prefix: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {"SKILLS_PORT_OFFSET": str(OFFSET), "SKILLS_DATABASE_PREFIX": prefix, "DATABASE_URL": admin_url()}
    )
    env.update(extra)
    return env


def spawn(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "skills_tools.cli", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_line(proc: subprocess.Popen[str], needle: str, timeout_s: float = 120) -> list[str]:
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        lines.append(line.rstrip())
        if needle in line:
            return lines
    raise AssertionError(
        f"never printed {needle!r}; got {lines}; stderr: {proc.stderr.read() if proc.stderr else ''}"
    )


@pytest.fixture
def prefix() -> Iterator[str]:
    name = f"t_run_{uuid.uuid4().hex[:6]}_"
    yield name
    import asyncio

    import asyncpg

    from skills_shared.db import to_asyncpg_dsn
    from skills_shared.testing import with_database

    async def drop() -> None:
        conn = await asyncpg.connect(to_asyncpg_dsn(with_database(admin_url(), "postgres")))
        for spec in SERVICES:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}{spec.database}" WITH (FORCE)')
        await conn.close()

    asyncio.run(drop())


def test_run_starts_all_five_stops_cleanly_and_a_second_run_reuses_the_data(prefix: str) -> None:
    for attempt in ("first", "second"):
        proc = spawn(run_env(prefix))
        try:
            lines = wait_for_line(proc, "stop: Ctrl-C")
            for spec in SERVICES:
                assert any(f":{spec.port + OFFSET}" in line for line in lines), lines
                ready = httpx.get(f"http://127.0.0.1:{spec.port + OFFSET}/readyz", timeout=5)
                assert ready.status_code == 200, (attempt, spec.name, ready.text)
                assert ready.json()["checks"]["migrations"] == "current"
            children = psutil.Process(proc.pid).children(recursive=True)
            assert len(children) >= len(SERVICES)
            proc.send_signal(signal.SIGINT)
            wait_for_line(proc, "stopping")
            proc.send_signal(signal.SIGINT)  # a terminal's Ctrl-C arrives again, forwarded by `uv run`
            assert proc.wait(timeout=30) == 0
            assert proc.stderr is not None and "Traceback" not in proc.stderr.read()
            _, alive = psutil.wait_procs(children, timeout=10)
            assert alive == [], "no orphan service processes"
        finally:
            if proc.poll() is None:
                proc.kill()


def test_port_taken_is_one_line_and_starts_nothing(prefix: str) -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", SERVICES[2].port + OFFSET))
    blocker.listen()
    try:
        proc = spawn(run_env(prefix))
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 1
        lines = [line for line in err.strip().splitlines() if line]
        assert lines == [f"make run: port already in use: org-filing :{SERVICES[2].port + OFFSET}"]
    finally:
        blocker.close()


def test_unreachable_database_is_one_line(prefix: str) -> None:
    proc = spawn(run_env(prefix, DATABASE_URL="postgresql://postgres@127.0.0.1:1/postgres"))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    lines = [line for line in err.strip().splitlines() if line]
    assert len(lines) == 1
    assert lines[0].startswith(
        "make run: PostgreSQL at postgresql://postgres@127.0.0.1:1/postgres is not reachable"
    )


def test_check_reachable_and_redaction() -> None:
    check_reachable(admin_url())
    with pytest.raises(DatabaseUnavailable):
        check_reachable("postgresql://postgres@127.0.0.1:1/postgres")
    assert redact("postgresql://u:secret@h:5432/db") == "postgresql://u:***@h:5432/db"


STOPPABLE = """
import signal, sys, time
from skills_tools.run import stop_on_signals
stop_on_signals()
try:
    print("ready", flush=True)  # inside the try: the signal may arrive the moment the line is out
    time.sleep(60)
except KeyboardInterrupt:
    print("stopping", flush=True)
    sys.exit(0)
sys.exit(3)
"""


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_a_suite_process_started_with_sigint_ignored_still_stops_on_ctrl_c_and_sigterm(stop: int) -> None:
    """A background job of a non-interactive shell (how CI runs its steps) starts with SIGINT ignored; `make run`
    and `make demo` must still stop, and stop their services, when told to."""
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", STOPPABLE],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        wait_for_line(proc, "ready", timeout_s=30)
        proc.send_signal(stop)
        wait_for_line(proc, "stopping", timeout_s=10)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_every_service_process_is_started_with_the_coalescing_protocol() -> None:
    """`make run`, the bench and the process tests share `uvicorn_argv`; the container command names the same."""
    from uvicorn.importer import import_from_string

    from skills_shared.http_protocol import HttpProtocol
    from skills_tools.run import HTTP_PROTOCOL, uvicorn_argv

    argv = uvicorn_argv(SERVICES[0], "127.0.0.1")
    assert argv[argv.index("--http") + 1] == HTTP_PROTOCOL
    assert import_from_string(HTTP_PROTOCOL) is HttpProtocol
