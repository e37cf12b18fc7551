"""7. Resident memory (psutil RSS, the uvicorn process and its children) idle and at the peak under load."""

from __future__ import annotations

import time

from bench import wrk
from bench.common import SERVICE_NAMES, Context


def measure_idle(ctx: Context) -> None:
    """Idle: started, ready, answered a few requests, then left alone for a moment."""
    time.sleep(2)
    for name in SERVICE_NAMES:
        key = f"memory.{name}.idle"
        proc = ctx.fleet.procs.get(name)
        if proc is None or not proc.alive():
            ctx.missing(key, ctx.unavailable.get(name, "not running"))
            continue
        rss = proc.rss_mb()
        ctx.shared.setdefault("idle_rss", {})[name] = rss
        ctx.figure(key, rss, f"{rss:.0f} MB after start-up and /readyz", data={"rss_mb": rss})


def measure_load(ctx: Context) -> None:
    """Peak under the bench's own load on each service; a service the bench did not load gets /readyz traffic."""
    loads: dict[str, float] = ctx.shared.get("load_rss", {})
    for name in SERVICE_NAMES:
        key = f"memory.{name}.load"
        proc = ctx.fleet.procs.get(name)
        if name in loads:
            ctx.figure(key, loads[name], f"peak during the bench's {name} load", data={"rss_mb": loads[name]})
            continue
        if proc is None or not proc.alive():
            ctx.missing(key, ctx.unavailable.get(name, "not running"))
            continue
        try:
            with ctx.fleet.peak_during(name) as mem:
                result = wrk.run(
                    proc.base,
                    ["/readyz"],
                    duration_s=ctx.config.warmup_s + 3,
                    connections=ctx.config.connections,
                )
            ctx.figure(
                key,
                mem["peak_mb"],
                f"peak during wrk on /readyz ({result.rps:,.0f} req/s)",
                note="no domain load for this service in the bench",
                data={"rss_mb": mem["peak_mb"]},
            )
        except RuntimeError as exc:
            ctx.missing(key, str(exc))
