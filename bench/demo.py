"""`make demo`'s load time: the demo world loaded through the gateway's API into a fresh suite of its own.

The command is run exactly as `make demo` runs it, on its own ports, databases, sandbox clock and folder, so it
neither sees nor disturbs the suite the other figures use. The figure is the loader's own time (from the
first request to the last); start-up of the five processes is reported beside it.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg

from bench.common import Context, StepFailed
from skills_shared.db import to_asyncpg_dsn
from skills_shared.testing import with_database
from skills_tools.services import SERVICES

DEMO_PORT_OFFSET = 480
"""Ports 8480–8484: clear of the benchmark's own suite."""


def measure(ctx: Context) -> None:
    prefix = f"bench_demo_{uuid.uuid4().hex[:6]}_"
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as folder:
        env = {
            **os.environ,
            "SKILLS_PORT_OFFSET": str(DEMO_PORT_OFFSET),
            "SKILLS_DATABASE_PREFIX": prefix,
            "DATABASE_URL": ctx.server,
            "SKILLS_DEMO_DIR": folder,
            "SKILLS_SANDBOX_CLOCK_FILE": str(Path(folder) / "sandbox-clock.json"),
        }
        started = time.monotonic()
        proc = subprocess.Popen(  # our own interpreter and module, as `make demo` runs it
            [sys.executable, "-m", "skills_tools.demo"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            seen: list[str] = []
            assert proc.stdout is not None
            loaded = None
            while loaded is None:
                line = proc.stdout.readline()
                if not line:
                    raise StepFailed(f"make demo stopped: {''.join(seen[-3:]).strip()[:300]}")
                seen.append(line)
                loaded = re.match(r"demo world loaded in ([0-9.]+) s", line)
            whole = time.monotonic() - started
            load_s = float(loaded.group(1))
            ctx.figure(
                "demo.load",
                round(load_s, 1),
                f"{whole:.0f} s with the five processes' start-up and migrations",
                note="make demo on an empty database; the loader's own time",
            )
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGINT)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            asyncio.run(_drop(ctx.server, prefix))


async def _drop(server: str, prefix: str) -> None:
    conn = await asyncpg.connect(to_asyncpg_dsn(with_database(server, "postgres")))
    try:
        for spec in SERVICES:
            await conn.execute(f'DROP DATABASE IF EXISTS "{prefix}{spec.database}" WITH (FORCE)')
    finally:
        await conn.close()
