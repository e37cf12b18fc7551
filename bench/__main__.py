"""`python -m bench`: start what the figures need, measure each one independently, write the results."""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime

from bench.config import DEFAULT_RESULTS_DIR, REPO_ROOT, RESULTS_DIR, BenchConfig
from bench.report import Results, machine


def main() -> int:
    os.environ.setdefault("SKILLS_PORT_OFFSET", "400")
    os.environ.setdefault("SKILLS_DATABASE_PREFIX", "bench_")
    if len(sys.argv) > 1:  # `python -m bench mixed issuance`: the same as BENCH_ONLY=mixed,issuance
        os.environ["BENCH_ONLY"] = ",".join(sys.argv[1:])
    config = BenchConfig.from_env()

    # Imported after the environment is set: the suite's helpers read the offset and prefix from it.
    from bench import coldstart, demo, events, floor, memory, mixed, registry, subsidy, vouchers, wrk
    from bench.common import CATALOGUE, Context, oneline
    from bench.infra import Fleet, server_url
    from bench.services import start_suite, write_profiles
    from skills_shared.testing import apply_synthetic_calendar
    from skills_shared.workdays import CALENDAR_FILE_ENV, today_shanghai

    # Issuance with publicity and claim review walk N working days from today, which in December reach a year
    # the library does not cover yet; the services started below inherit the synthetic calendar, if any.
    calendar = REPO_ROOT / ".data" / "bench-synthetic-calendar.json"
    apply_synthetic_calendar(today_shanghai(), calendar)
    if os.environ.get(CALENDAR_FILE_ENV) == str(calendar):
        print(f"working days: synthetic calendar (no holidays) for years the library lacks: {calendar}")

    results = Results(
        {
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "machine": machine(),
            "mode": "quick" if config.quick else "full",
            "connections": config.connections,
            "load_tool": "wrk (Lua: random stored key per request; exact p50/p95/p99) for every compared HTTP "
            "figure; pgbench for the database ceiling; a raw HTTP/1.1 asyncio client (bench/loadgen.py) at a "
            "constant rate for claim submit and in a closed loop for redeem; locust (FastHttpUser, paced users) "
            "for the mixed day",
            "config": {
                k: (sorted(v) if isinstance(v, frozenset) else v)
                for k, v in vars(config).items()
                if k != "database_url"
            },
        }
    )
    print(f"bench ({results.meta['mode']}): {machine()}", flush=True)
    if not wrk.available():
        print("wrk is not installed: every wrk figure will read 'not measured' (make bench installs it)")
    fleet = Fleet()
    ctx: Context | None = None
    try:
        server, where = server_url(config)
        results.meta["database"] = where
        ctx = Context(config, results, fleet, server, embedded=config.database_url is None)
        print(f"database: {where}", flush=True)
        start_suite(ctx)

        steps: list[tuple[str, list[str], Callable[[Context], None]]] = [
            ("memory-idle", [], memory.measure_idle),
            ("floor-pgbench", ["floor.pgbench", "floor.pgbench_lookup"], floor.measure),
            (
                "floor",
                ["floor.http", "registry.lookup.direct", "registry.lookup.gateway"],
                registry.measure_lookups,
            ),
            ("floor-client", ["loadgen.overhead"], subsidy.measure_client_overhead),
            (
                "issuance",
                ["issue.batch", "issue.concurrent", "issue.duplicates", "issue.gaps"],
                registry.measure_issuance,
            ),
            ("scale", ["scale.ratio"], registry.measure_scale),
            ("vouchers", ["voucher.bulk", "voucher.redeem"], vouchers.measure),
            ("subsidy", ["subsidy.policy", "subsidy.claim_p95"], subsidy.measure),
            ("memory-load", [], memory.measure_load),
            ("demo", ["demo.load"], demo.measure),
            ("events", list(events.KEYS), events.measure),
            ("cold", list(coldstart.KEYS), coldstart.measure),
            # Last: it kills and restarts a service, which would disturb the memory figures of the others.
            ("mixed", list(mixed.KEYS), mixed.measure),
        ]
        for name, keys, step in steps:
            base = name.split("-")[0]
            if not config.wants(base):
                continue
            print(f"\n== {name}", flush=True)
            t = time.monotonic()
            try:
                step(ctx)
            except Exception as exc:  # one broken measurement must not take the others down
                traceback.print_exc()
                for key in keys:
                    if results.get(key) is None:
                        ctx.missing(key, oneline(exc))
            print(f"   ({time.monotonic() - t:.0f} s)", flush=True)
        missing_keys = [
            k for k in CATALOGUE if results.get(k) is None and not k.startswith(("memory.", "mixed.step."))
        ]
        if config.only:
            missing_keys = []
        for key in missing_keys:
            ctx.missing(key, "its step did not report it")
    finally:
        fleet.close()
        for path in write_profiles():
            print(f"profile: {path}")
        results.meta["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        results.meta["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        if ctx is not None:
            results.meta["notes"] = ctx.notes
        results.write(RESULTS_DIR)
        if RESULTS_DIR == DEFAULT_RESULTS_DIR and not config.only and not config.quick:
            results.update_readme(DEFAULT_RESULTS_DIR.parent / "README.md")
        print(f"\n{results.summary()}")
        print(
            f"wrote {RESULTS_DIR}/latest.json, latest.md, latest.png "
            f"({time.monotonic() - results.started:.0f} s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
