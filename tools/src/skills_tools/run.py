"""`skills run`: database, migrations, reference data, and the five services as real uvicorn processes."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from importlib import import_module
from pathlib import Path
from types import FrameType

import httpx

from skills_shared.clock import SANDBOX_FILE_ENV
from skills_shared.db.migrations import upgrade
from skills_tools.database import (
    REPO_ROOT,
    DatabaseUnavailable,
    check_reachable,
    embedded_server_url,
    ensure_databases,
)
from skills_tools.services import SERVICES, SUITE_URL_VARIABLES, ServiceSpec


def port_of(spec: ServiceSpec) -> int:
    """The service's port, shifted by ``SKILLS_PORT_OFFSET`` (a second copy of the suite, or its own test)."""
    return spec.port + int(os.environ.get("SKILLS_PORT_OFFSET", "0"))


def database_of(spec: ServiceSpec) -> str:
    """The service's database name, prefixed by ``SKILLS_DATABASE_PREFIX`` when set."""
    return os.environ.get("SKILLS_DATABASE_PREFIX", "") + spec.database


class RunError(Exception):
    """A reason to stop, printed as one line."""


def port_taken(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something already listens on the port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def load_reference_data(spec: ServiceSpec, url: str) -> None:
    """Run the service's optional ``<package>.seed.load(url)`` (idempotent by contract)."""
    try:
        seed = import_module(f"{spec.package}.seed")
    except ModuleNotFoundError:
        return
    seed.load(url)


def prepare(server_url: str) -> dict[str, str]:
    """Create and migrate every service database; return service name → URL."""
    urls = ensure_databases(server_url, [database_of(s) for s in SERVICES])
    for spec in SERVICES:
        upgrade(spec.migrations_dir, urls[database_of(spec)])
        load_reference_data(spec, urls[database_of(spec)])
    return {spec.name: urls[database_of(spec)] for spec in SERVICES}


def sandbox_file() -> Path:
    """Where `make run` keeps the sandbox business date (`make clock DATE=…` moves it)."""
    return REPO_ROOT / ".data" / "sandbox-clock.json"


def service_env(spec: ServiceSpec, url: str, host: str, *, sandbox: bool = True) -> dict[str, str]:
    """Environment of one service process: its database, where the others are, and the shared sandbox clock
    (development only: a process with SKILLS_ENVIRONMENT=production refuses to start with it).

    ``sandbox=False`` keeps the process on real time whatever that shared file says: the bench and the tests that
    start real processes date their own requests by today, and `make demo` leaves the file a month ahead.
    """
    env = dict(os.environ)
    env[f"{spec.env_prefix}DATABASE_URL"] = url
    if sandbox:
        env.setdefault(SANDBOX_FILE_ENV, str(sandbox_file()))
    else:
        env[SANDBOX_FILE_ENV] = ""
    for other in SERVICES:
        env.setdefault(SUITE_URL_VARIABLES[other.name], f"http://{host}:{port_of(other)}")
    return env


HTTP_PROTOCOL = "skills_shared.http_protocol:HttpProtocol"
"""uvicorn's httptools protocol sending each answer's head and body in one write (`skills_shared.http_protocol`)."""


def uvicorn_argv(spec: ServiceSpec, host: str) -> list[str]:
    """How every service process is started (here, and by the tests that start real processes).

    - ``--no-proxy-headers``: uvicorn's default trusts ``X-Forwarded-For`` from 127.0.0.1, and under `make run`
      every client is loopback, so any caller could pick its own address and its own rate-limit budget. The
      app believes the header only from ``SKILLS_TRUSTED_PROXIES`` (`skills_shared.app`), the one place.
    - ``--no-access-log``: the app writes its own access line (status, duration, route; masked) through the
      same JSON formatter as everything else (`skills_shared.logging`), and uvicorn's own loggers go there too.
    - ``--http``: `HTTP_PROTOCOL`, uvicorn's httptools parser with one write per answer instead of two. The h11
      parser is never chosen, so its head-size flag is not given; the app's own header limit (431/401) bounds
      a request head.
    """
    return [
        sys.executable,
        "-m",
        "uvicorn",
        spec.app_factory,
        "--factory",
        "--host",
        host,
        "--port",
        str(port_of(spec)),
        "--no-proxy-headers",
        "--no-access-log",
        "--http",
        HTTP_PROTOCOL,
    ]


def start(
    spec: ServiceSpec,
    url: str,
    host: str,
    logs: Path,
    extra_env: dict[str, str] | None = None,
    *,
    sandbox: bool = True,
) -> subprocess.Popen[bytes]:
    """Start one uvicorn process, its output (JSON lines) to .data/logs/<name>.log (``sandbox``: `service_env`)."""
    log = (logs / f"{spec.name}.log").open("ab")
    env = service_env(spec, url, host, sandbox=sandbox)
    env.update(extra_env or {})
    return subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter
        uvicorn_argv(spec, host),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def start_jobs(urls: dict[str, str], host: str, logs: Path) -> subprocess.Popen[bytes]:
    """The scheduled work (`skills job --loop`: the same jobs the CronJobs run) as one more process, its output to
    .data/logs/jobs.log; it sees every service's database and the sandbox clock, as the services do."""
    env = service_env(SERVICES[0], urls[SERVICES[0].name], host)
    for spec in SERVICES:
        env[f"{spec.env_prefix}DATABASE_URL"] = urls[spec.name]
    return subprocess.Popen(
        [sys.executable, "-m", "skills_tools.jobs", "--loop"],
        env=env,
        stdout=(logs / "jobs.log").open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_healthy(
    procs: dict[str, subprocess.Popen[bytes]], host: str, logs: Path, timeout_s: float = 60
) -> None:
    """Wait until every service answers /readyz; a process that exits first stops the run."""
    pending = {s.name: s for s in SERVICES}
    deadline = time.monotonic() + timeout_s
    while pending:
        for name, spec in list(pending.items()):
            if procs[name].poll() is not None:
                tail = (logs / f"{name}.log").read_text(errors="replace").strip().splitlines()[-1:] or [
                    "(no output)"
                ]
                raise RunError(f"{name} exited during start-up: {tail[0][:300]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://{host}:{port_of(spec)}/readyz", timeout=1).status_code == 200:
                    del pending[name]
        if time.monotonic() > deadline:
            raise RunError(f"not ready after {timeout_s:.0f}s: {', '.join(pending)} (see .data/logs/)")
        time.sleep(0.3)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def stop_on_signals() -> None:
    """Make Ctrl-C and SIGTERM raise KeyboardInterrupt in a process that runs the suite (`make run`, `make demo`).

    SIGINT is set back to Python's own handler on purpose: a process started with SIGINT ignored (a background
    job of a non-interactive shell, as CI runs its steps; nohup) inherits SIG_IGN, and Python keeps it, which left
    the process deaf to Ctrl-C. Its caller then had to kill it outright, and the services it had started in
    sessions of their own lived on, holding their ports."""
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def stop_all(procs: dict[str, subprocess.Popen[bytes]]) -> None:
    """SIGTERM every process group, then SIGKILL what is left after 10 s: no orphans."""
    for p in procs.values():
        if p.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for p in procs.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        if p.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def main(host: str = "127.0.0.1") -> int:
    """Run the suite until Ctrl-C."""
    procs: dict[str, subprocess.Popen[bytes]] = {}
    logs = REPO_ROOT / ".data" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    stop_on_signals()
    try:
        taken = [f"{s.name} :{port_of(s)}" for s in SERVICES if port_taken(port_of(s), host)]
        if taken:
            raise RunError(f"port already in use: {', '.join(taken)}")
        server_url = os.environ.get("DATABASE_URL")
        if server_url:
            check_reachable(server_url)
            where = "DATABASE_URL"
        else:
            server_url = embedded_server_url("pg")
            where = "embedded PostgreSQL in .data/pg"
        urls = prepare(server_url)
        for spec in SERVICES:
            procs[spec.name] = start(spec, urls[spec.name], host, logs)
        wait_healthy(procs, host, logs)
        procs["jobs"] = start_jobs(urls, host, logs)
        print(f"database: {where}")
        for spec in SERVICES:
            base = f"http://{host}:{port_of(spec)}"
            print(f"  {spec.name:<22} {base}   docs: {base}/docs")
        print("logs: .data/logs/   stop: Ctrl-C")
        sys.stdout.flush()
        while True:
            for name, p in procs.items():
                if p.poll() is not None:
                    raise RunError(
                        f"{name} stopped unexpectedly (exit {p.returncode}); see .data/logs/{name}.log"
                    )
            time.sleep(1)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # before anything else: the second Ctrl-C is on its way
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("\nstopping…", flush=True)
        return 0
    except (RunError, DatabaseUnavailable) as exc:
        print(f"make run: {exc}", file=sys.stderr)
        return 1
    finally:
        # Ctrl-C reaches this process twice (from the terminal and forwarded by `uv run`): a second interrupt
        # must not cut the shutdown short and leave services or the database running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_all(procs)
