"""Bring up the five services for the bench: fresh migrated databases, one uvicorn worker each."""

from __future__ import annotations

import os
import pstats
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import registry
from bench.common import SERVICE_NAMES, Context, oneline
from bench.config import RESULTS_DIR
from bench.infra import prepare_service, start_service, wait_ready

EXTRA_ENV = {
    # The gateway's public budget (60 look-ups a minute per client) would turn a throughput run into a
    # rate-limit test; the bench measures the proxy path, so the limiter is off for its gateway only.
    "gateway": {"GATEWAY_RATE_LIMIT_ENABLED": "false"},
    # Redeem tokens are minted before the timed run; give them time to survive the set-up.
    "voucher": {"VOUCHER_QR_TTL_S": "600"},
}


def start_suite(ctx: Context) -> None:
    """Every service that can be started is; one that cannot is recorded with its reason and skipped."""
    t = time.monotonic()
    for name in SERVICE_NAMES:
        try:
            ctx.urls[name] = prepare_service(ctx.server, name)
        except Exception as exc:  # a service mid-construction may have a broken migration
            ctx.unavailable[name] = f"{name} database could not be migrated: {oneline(exc)}"
            print(f"  {ctx.unavailable[name]}", flush=True)
    if "certificate-registry" in ctx.urls:
        try:
            registry.load_lookup_rows(ctx)
        except Exception as exc:
            ctx.unavailable["certificate-registry"] = f"look-up rows could not be loaded: {oneline(exc)}"
            ctx.urls.pop("certificate-registry")
    profiled = {p.strip() for p in os.environ.get("BENCH_PROFILE", "").split(",") if p.strip()}
    for name, url in ctx.urls.items():
        if name in ctx.unavailable:
            continue
        profile = profile_path(name) if name in profiled else None
        if profile is not None:
            profile.parent.mkdir(parents=True, exist_ok=True)
            profile.unlink(missing_ok=True)
            ctx.notes.append(
                f"{name} ran under cProfile (BENCH_PROFILE): its figures carry the profiler's cost"
            )
        try:
            ctx.fleet.add(start_service(name, url, extra_env=EXTRA_ENV.get(name), profile=profile))
        except Exception as exc:
            ctx.unavailable[name] = f"{name} could not start: {oneline(exc)}"

    def ready(name: str) -> None:
        try:
            wait_ready(ctx.fleet.procs[name])
        except Exception as exc:
            ctx.unavailable[name] = f"{name} not ready: {oneline(exc)}"
            ctx.fleet.stop(name)

    with ThreadPoolExecutor(max_workers=5) as pool:
        list(pool.map(ready, [n for n in SERVICE_NAMES if n in ctx.fleet.procs]))
    up = [n for n in SERVICE_NAMES if n in ctx.fleet.procs]
    print(f"services up ({time.monotonic() - t:.0f} s): {', '.join(up) or 'none'}", flush=True)
    for reason in ctx.unavailable.values():
        print(f"  unavailable: {reason}", flush=True)
        ctx.notes.append(reason)


def profile_path(name: str) -> Path:
    return RESULTS_DIR / "profiles" / f"{name}.prof"


def write_profiles() -> list[Path]:
    """Each profiled service's hottest functions (own time and cumulative) as text beside its .prof file."""
    written: list[Path] = []
    for name in SERVICE_NAMES:
        prof = profile_path(name)
        if not prof.exists():
            continue
        out = prof.with_suffix(".txt")
        with out.open("w") as fh:
            stats = pstats.Stats(str(prof), stream=fh)
            stats.strip_dirs()
            fh.write(f"# {name}: top functions by own time\n")
            stats.sort_stats("tottime").print_stats(35)
            fh.write(f"\n# {name}: top functions by cumulative time\n")
            stats.sort_stats("cumulative").print_stats(35)
        if not os.environ.get("BENCH_KEEP_PROF"):
            prof.unlink()  # the binary dump is large and machine-specific; the text is what gets read
        written.append(out)
    return written
