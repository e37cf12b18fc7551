"""The bench's own PostgreSQL databases and uvicorn processes, on shifted ports so a running suite is untouched.

Databases are prefixed (``bench_``) and ports shifted (``SKILLS_PORT_OFFSET``, 400 by default) through the same
helpers ``skills run`` uses; every process is started in its own session and stopped by its process group.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.config import LOG_DIR, BenchConfig
from skills_shared.db import to_async_url, to_asyncpg_dsn
from skills_shared.db.migrations import upgrade
from skills_shared.testing import with_database
from skills_tools.database import check_reachable, embedded_server_url
from skills_tools.run import database_of, load_reference_data, port_of, port_taken, service_env, uvicorn_argv
from skills_tools.services import SERVICES, ServiceSpec

HOST = "127.0.0.1"


def spec(name: str) -> ServiceSpec:
    return next(s for s in SERVICES if s.name == name)


def server_url(config: BenchConfig) -> tuple[str, str]:
    """The PostgreSQL server to use and a phrase saying which: ``BENCH_DATABASE_URL`` or an embedded one."""
    if config.database_url:
        check_reachable(config.database_url)
        return config.database_url, "BENCH_DATABASE_URL"
    return embedded_server_url("pg-bench"), "embedded PostgreSQL in .data/pg-bench"


async def _admin(server: str, sql: str) -> Any:
    conn = await asyncpg.connect(to_asyncpg_dsn(with_database(server, "postgres")))
    try:
        return await conn.fetch(sql)
    finally:
        await conn.close()


def ensure_database(server: str, name: str, *, fresh: bool = False) -> str:
    """Create (or with ``fresh`` drop and recreate) a database; return its async URL."""

    async def go() -> None:
        exists = await _admin(server, f"SELECT 1 FROM pg_database WHERE datname = '{name}'")  # noqa: S608
        if exists and fresh:
            await _admin(server, f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = []
        if not exists:
            await _admin(server, f'CREATE DATABASE "{name}"')

    asyncio.run(go())
    return to_async_url(with_database(server, name))


def drop_database(server: str, name: str) -> None:
    """Drop a database if it exists (connections to it are ended)."""
    asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def prepare_service(server: str, name: str, *, fresh: bool = True) -> str:
    """A freshly created and migrated database for one service (reference data loaded), returning its URL."""
    s = spec(name)
    url = ensure_database(server, database_of(s), fresh=fresh)
    upgrade(s.migrations_dir, url)
    load_reference_data(s, url)
    return url


DRAIN_TIMEOUT_S = 600.0


async def drain_outboxes(urls: Iterable[str]) -> float:
    """Wait until the outboxes of these service databases have delivered everything; the seconds it took.

    A set-up writes partner events with what it creates (10,000 certificates, thousands of claimed vouchers): that
    backlog belongs to the set-up, not to the figure measured after it, and delivering it during a timed run
    charged the sender's and the gateway's CPU to the route being measured. The timed requests' own events are
    still written and delivered during the run, as they would be on a real day.
    """
    started = time.monotonic()
    conns = [await asyncpg.connect(dsn(url)) for url in urls]
    try:
        while True:
            pending = 0
            for conn in conns:
                pending += await conn.fetchval("SELECT count(*) FROM outbox WHERE delivered_at IS NULL")
            if pending == 0:
                return time.monotonic() - started
            if time.monotonic() - started > DRAIN_TIMEOUT_S:
                raise RuntimeError(
                    f"{pending} outbox messages still undelivered after {DRAIN_TIMEOUT_S:.0f} s"
                )
            await asyncio.sleep(0.5)
    finally:
        for conn in conns:
            await conn.close()


def dsn(url: str) -> str:
    """The asyncpg/libpq form of a service URL."""
    return to_asyncpg_dsn(url)


@dataclass
class Proc:
    """A started uvicorn (or other) process and where it listens."""

    name: str
    popen: subprocess.Popen[bytes]
    port: int
    log: Path
    peak_rss_mb: float = 0.0
    samples: list[float] = field(default_factory=list)
    profiled: bool = False

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def alive(self) -> bool:
        return self.popen.poll() is None

    def rss_mb(self) -> float:
        """Resident memory of the process and its children (uvicorn workers), in MB."""
        import psutil

        try:
            root = psutil.Process(self.popen.pid)
            procs = [root, *root.children(recursive=True)]
            total = 0
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    total += p.memory_info().rss
            return total / 1e6
        except psutil.Error:
            return 0.0

    def cpu_s(self) -> float:
        """CPU seconds (user + system) the process and its children have used so far."""
        import psutil

        try:
            root = psutil.Process(self.popen.pid)
            total = 0.0
            for p in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    t = p.cpu_times()
                    total += t.user + t.system
            return total
        except psutil.Error:
            return 0.0

    def tail(self, lines: int = 3) -> str:
        try:
            text = self.log.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "(no log)"
        return " | ".join(text[-lines:])[-400:] or "(no output)"


def bench_service_env(
    s: ServiceSpec, database_url: str, extra_env: dict[str, str] | None = None
) -> dict[str, str]:
    """``skills run``'s environment for one service on real time (`service_env`), the bench's ``extra_env`` on top:
    the set-up dates its requests by today. A step may still name a sandbox file of its own in ``extra_env``."""
    env = service_env(s, database_url, HOST, sandbox=False)
    env.update(extra_env or {})
    return env


def start_service(
    name: str,
    database_url: str,
    *,
    workers: int = 1,
    port: int | None = None,
    extra_env: dict[str, str] | None = None,
    tag: str | None = None,
    profile: Path | None = None,
) -> Proc:
    """Start one service with ``skills run``'s own command (`skills_tools.run.uvicorn_argv`), optionally with
    more workers.

    With ``profile`` the process runs under cProfile (py-spy, a dev dependency, can also attach to it)
    and writes its statistics there when it is stopped with SIGTERM.
    """
    s = spec(name)
    port = port or port_of(s)
    if port_taken(port, HOST):
        raise RuntimeError(f"port {port} already in use")
    env = bench_service_env(s, database_url, extra_env)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"bench-{tag or name}.log"
    argv = uvicorn_argv(s, HOST)  # the suite's one start command, flags and all
    argv[argv.index("--port") + 1] = str(port)
    if profile is not None:
        argv[1:1] = ["-m", "cProfile", "-o", str(profile)]
    if workers > 1:
        argv += ["--workers", str(workers)]
    with log_path.open("ab") as log:
        popen = subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter
            argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Proc(tag or name, popen, port, log_path, profiled=profile is not None)


def start_module(tag: str, app: str, port: int, env: dict[str, str]) -> Proc:
    """Start a uvicorn factory that is not a suite service (the floor app)."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"bench-{tag}.log"
    with log_path.open("ab") as log:
        popen = subprocess.Popen(  # noqa: S603 - fixed argv
            [
                sys.executable,
                "-m",
                "uvicorn",
                app,
                "--factory",
                "--host",
                HOST,
                "--port",
                str(port),
                "--no-access-log",
            ],
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Proc(tag, popen, port, log_path)


def wait_ready(proc: Proc, path: str = "/readyz", timeout_s: float = 60) -> None:
    """Wait for 200 on ``path``; a process that exits first raises with the tail of its log."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited during start-up: {proc.tail()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(proc.base + path, timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{proc.name} not ready after {timeout_s:.0f}s: {proc.tail()}")


def stop(proc: Proc) -> None:
    """SIGTERM the process group, SIGKILL it after 10 s.

    A profiled process gets SIGINT instead: uvicorn re-raises the signal it stopped on, and only SIGINT (as
    KeyboardInterrupt) lets cProfile write its statistics on the way out.
    """
    if proc.popen.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.popen.pid, signal.SIGINT if proc.profiled else signal.SIGTERM)
        try:
            proc.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.popen.pid, signal.SIGKILL)
            proc.popen.wait()


class Fleet:
    """Every process the bench started, with a sampler that keeps each one's peak resident memory."""

    def __init__(self) -> None:
        self.procs: dict[str, Proc] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def add(self, proc: Proc) -> Proc:
        self.procs[proc.name] = proc
        return proc

    def _sample(self) -> None:
        while not self._stop.wait(0.25):
            for proc in list(self.procs.values()):
                if proc.alive():
                    rss = proc.rss_mb()
                    proc.peak_rss_mb = max(proc.peak_rss_mb, rss)

    @contextlib.contextmanager
    def peak_during(self, name: str) -> Iterator[dict[str, float]]:
        """The peak RSS (sampled every 0.25 s) and the CPU seconds of one process during the block."""
        proc = self.procs[name]
        before = proc.peak_rss_mb
        proc.peak_rss_mb = proc.rss_mb()
        cpu0 = proc.cpu_s()
        t0 = time.perf_counter()
        out: dict[str, float] = {}
        try:
            yield out
        finally:
            out["peak_mb"] = max(proc.peak_rss_mb, proc.rss_mb())
            out["cpu_s"] = proc.cpu_s() - cpu0
            out["wall_s"] = time.perf_counter() - t0
            proc.peak_rss_mb = max(before, proc.peak_rss_mb)

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is not None:
            stop(proc)

    def close(self) -> None:
        self._stop.set()
        for name in list(self.procs):
            self.stop(name)


def free_port(base: int) -> int:
    """The first free port from ``base`` upwards (the floor app and the two-worker registry)."""
    port = base
    while port_taken(port, HOST):
        port += 1
    return port


WAITS_SQL = """
SELECT coalesce(wait_event_type || ':' || wait_event, 'on CPU') AS what
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND state NOT IN ('idle')
"""


@contextlib.contextmanager
def db_activity(url: str, interval_s: float = 0.05) -> Iterator[Counter[str]]:
    """Sample what the database's busy backends wait on during the block (a poor man's wait-event profile):
    when a service is slow but its own process is idle, this says whether it queues on a lock, on I/O or on
    the database's CPU."""
    counts: Counter[str] = Counter()
    stop_event = threading.Event()

    async def sample() -> None:
        conn = await asyncpg.connect(dsn(url))
        try:
            while not stop_event.is_set():
                counts["_samples"] += 1
                for row in await conn.fetch(WAITS_SQL):
                    counts[row["what"]] += 1
                await asyncio.sleep(interval_s)
        finally:
            await conn.close()

    thread = threading.Thread(target=lambda: asyncio.run(sample()), daemon=True)
    thread.start()
    try:
        yield counts
    finally:
        stop_event.set()
        thread.join(timeout=5)


def describe_waits(counts: Counter[str]) -> str:
    """ "busy backends on average 7.9: Lock:transactionid 5.1, on CPU 2.2, …" from a db_activity sample."""
    samples = counts.get("_samples", 0)
    if not samples:
        return "no database samples"
    busy = {k: v / samples for k, v in counts.items() if k != "_samples"}
    total = sum(busy.values())
    top = sorted(busy.items(), key=lambda kv: -kv[1])[:4]
    return f"database backends busy on average {total:.1f}: " + ", ".join(f"{k} {v:.1f}" for k, v in top)
