"""wrk as the one load tool for every compared HTTP figure: a Lua script picks a random path per request and
reports exact p50/p95/p99 (wrk's own --latency table stops at 50/75/90/99)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

LUA = r"""
local paths = {}
for line in io.lines(os.getenv("BENCH_WRK_PATHS")) do paths[#paths + 1] = line end
local auth = os.getenv("BENCH_WRK_AUTH")
if auth ~= nil and auth ~= "" then wrk.headers["Authorization"] = auth end
local counter = 0
init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,'
    .. '"timeout":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,"mean_us":%f,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max))
end
"""


class WrkUnavailable(RuntimeError):
    """wrk is not installed (``make bench`` installs it with apt-get where it can)."""


@dataclass
class WrkResult:
    """One wrk run: throughput of successful responses and latency percentiles in milliseconds."""

    rps: float
    requests: int
    errors: int
    non_2xx: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    duration_s: float
    connections: int

    @property
    def error_share(self) -> float:
        return (self.errors + self.non_2xx) / self.requests if self.requests else 1.0

    def summary(self) -> str:
        errs = f", {self.non_2xx + self.errors:,} errors/non-2xx" if self.non_2xx + self.errors else ""
        return (
            f"{self.rps:,.0f} req/s; p50 {self.p50_ms:.2f} / p95 {self.p95_ms:.2f} / p99 {self.p99_ms:.2f} ms"
            f" ({self.connections} conns, {self.duration_s:.0f} s{errs})"
        )

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def available() -> bool:
    return shutil.which("wrk") is not None


def run(
    base_url: str,
    paths: list[str],
    *,
    duration_s: int,
    connections: int,
    threads: int = 2,
    auth: str | None = None,
    timeout_s: int = 10,
) -> WrkResult:
    """Run wrk against ``base_url`` with a random path from ``paths`` per request."""
    exe = shutil.which("wrk")
    if exe is None:
        raise WrkUnavailable("wrk is not installed")
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        script = Path(tmp) / "paths.lua"
        script.write_text(LUA)
        listing = Path(tmp) / "paths.txt"
        listing.write_text("\n".join(paths) + "\n")
        env = dict(os.environ, BENCH_WRK_PATHS=str(listing), BENCH_WRK_AUTH=auth or "")
        proc = subprocess.run(  # noqa: S603 - fixed argv
            [
                exe,
                f"-t{min(threads, connections)}",
                f"-c{connections}",
                f"-d{duration_s}s",
                f"--timeout={timeout_s}s",
                "-s",
                str(script),
                base_url,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=duration_s + 60,
            check=False,
        )
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result (exit {proc.returncode}): {proc.stderr.strip()[:200]}")
    raw = json.loads(line.removeprefix("BENCHJSON "))
    requests = int(raw["requests"])
    errors = int(raw["connect"] + raw["read"] + raw["write"] + raw["timeout"])
    non_2xx = int(raw["status"])
    seconds = raw["duration_us"] / 1e6
    return WrkResult(
        rps=max(0, requests - non_2xx - errors) / seconds if seconds else 0.0,
        requests=requests,
        errors=errors,
        non_2xx=non_2xx,
        p50_ms=raw["p50_us"] / 1000,
        p95_ms=raw["p95_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        mean_ms=raw["mean_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        duration_s=seconds,
        connections=connections,
    )
