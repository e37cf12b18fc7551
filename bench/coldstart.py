"""Cold start: the registry restarted, and its first second of look-ups compared with its steady state.

Issue 21 asks that ``/readyz`` answer 200 only when the hot paths' pools are warm, and that the first second's
p99 be at most twice the steady p99. The registry is stopped and started again with the suite's own command; the
moment ``/readyz`` first answers 200, wrk starts the same look-up load as the look-up figures (same connections,
random stored certificates) for one second, then for a few seconds more once it is steady. The same restart is
measured once with warming switched off (``REGISTRY_DATABASE_WARM_CONNECTIONS=0``), so the figure says what the
warm-up (`skills_shared.warmup`) buys.
"""

from __future__ import annotations

import time

from bench import wrk
from bench.common import Context
from bench.data import lookup_paths
from bench.infra import start_service, wait_ready

NAME = "certificate-registry"
KEYS = ("cold.ready_s", "cold.first_second_p99")


def _restart(ctx: Context, extra_env: dict[str, str]) -> tuple[float, wrk.WrkResult, wrk.WrkResult]:
    """Stop the registry, start it with ``extra_env``; seconds to ready, then the first and a steady run."""
    cfg = ctx.config
    paths = lookup_paths(cfg.lookup_rows)
    ctx.fleet.stop(NAME)
    started = time.perf_counter()
    proc = ctx.fleet.add(start_service(NAME, ctx.urls[NAME], extra_env=extra_env))
    wait_ready(proc)
    ready_s = time.perf_counter() - started
    first = wrk.run(proc.base, paths, duration_s=1, connections=cfg.connections, threads=cfg.threads)
    steady = wrk.run(proc.base, paths, duration_s=3, connections=cfg.connections, threads=cfg.threads)
    return ready_s, first, steady


def measure(ctx: Context) -> None:
    cold_ready, cold_first, cold_steady = _restart(ctx, {"REGISTRY_DATABASE_WARM_CONNECTIONS": "0"})
    ready_s, first, steady = _restart(ctx, {})  # as deployed: warmed (and the registry stays so afterwards)
    ratio = first.p99_ms / steady.p99_ms if steady.p99_ms else float("inf")
    cold_ratio = cold_first.p99_ms / cold_steady.p99_ms if cold_steady.p99_ms else float("inf")
    ctx.figure(
        "cold.ready_s",
        ready_s,
        f"start of the process to the first 200 from /readyz, warm-up included ({ready_s:.1f} s; without "
        f"warming {cold_ready:.1f} s); the suite's own start command, polled every 0.3 s",
        data={"ready_s": ready_s, "unwarmed_ready_s": cold_ready},
    )
    ctx.figure(
        "cold.first_second_p99",
        ratio,
        f"first second after ready: p99 {first.p99_ms:.2f} ms ({first.rps:,.0f} req/s), steady p99 "
        f"{steady.p99_ms:.2f} ms ({steady.rps:,.0f} req/s), {cfg_text(ctx)}; without warming the first "
        f"second's p99 was {cold_first.p99_ms:.2f} ms against a steady {cold_steady.p99_ms:.2f} ms "
        f"({cold_ratio:.2f} ×)",
        data={
            "first": first.as_dict(),
            "steady": steady.as_dict(),
            "unwarmed_first": cold_first.as_dict(),
            "unwarmed_steady": cold_steady.as_dict(),
            "unwarmed_ratio": cold_ratio,
        },
    )


def cfg_text(ctx: Context) -> str:
    return f"{ctx.config.connections} connections, direct to the registry"
