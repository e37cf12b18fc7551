"""9. The mixed day: a constant-rate load through the gateway in a real day's proportions, in rising steps until
p99 passes 200 ms, then the same load at half of that with one service killed for 10 s.

The load is locust's (``bench/mixed_locustfile.py``, one headless locust process per step); everything it sends
is prepared here beforehand through the same set-up functions the other figures use: the look-up set, a body
filed in org-filing with its plan and a batch issued today (subsidy applications need real certificates), the
voucher setting (redeems), and claims already under review (the officer's approvals). Each step's figures —
achieved rate, p50/p95/p99 per route class, 5xx, CPU per service — are computed from locust's per-request
records inside the step's measurement window (after a warm-up), the CPU from psutil over the same window.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.common import SERVICE_NAMES, Context, StepFailed
from bench.config import LOG_DIR
from bench.data import NAME_QUERY, lookup_paths, number_of
from bench.infra import drain_outboxes, dsn, start_service, wait_ready
from bench.registry import Registry, bench_body, candidates
from bench.services import EXTRA_ENV
from bench.vouchers import redeem_jobs, voucher_setting, voucher_testdata_module
from skills_tools.demo.api import Api, DemoError, Who
from skills_tools.demo.load import REVIEWER, subsidy_application
from skills_tools.demo.world import CQ_AMOUNT_TABLE

LOCUSTFILE = Path(__file__).resolve().parent / "mixed_locustfile.py"
SERIAL = 903
"""Credit-code serial of the body whose certificates the mixed day's subsidy applications claim for."""
SHARES = {"lookup": 60, "verify": 20, "claim": 8, "redeem": 8, "queue": 3, "approve": 1}
"""Per hundred requests: 80 public (look-ups and verify pages), 8 subsidy applications, 8 redeems, 4 officer."""
CLASSES = ("lookup", "verify", "claim", "redeem", "officer_queue", "officer_approve")
P99_LIMIT_MS = 200.0
WARM_UP_S = 15
"""Seconds of load at the first rate before step 1 (not measured)."""
PER_USER_RATE = 10.0
"""Requests a second per locust user. Locust's own latency grows with its number of users (gevent greenlets),
not with the rate: against a trivial ASGI app on this machine, 120 users at 1 req/s read p50/p99 16/29 ms of
locust alone, 12 users at 10 req/s 2/5 ms, 40 users at 10 req/s (400 req/s) 6/16 ms. At one a second per user the
tool's own queueing was most of what the steps reported (look-up p50 63 ms at 40 req/s with the gateway at 15 % of
a core). A 100 ms pace still sits far above the service times the steps look at; a slower answer delays its
user's next request, which the achieved rate shows."""
CITY = Who("city_officer", "city-officer-bench")
OFFICERS = 20
SCANNERS = 8
"""A day's load comes from many officers and scanner desks: each has its own per-caller bulkheads."""
GATEWAY_ENV = {
    "GATEWAY_RATE_LIMIT_ENABLED": "true",
    "GATEWAY_RATE_LIMIT_PER_WINDOW": "1000000000",
    "GATEWAY_PUBLIC_RATE_LIMIT_PER_WINDOW": "1000000000",
    "SKILLS_TRUSTED_PROXIES": "127.0.0.1",
}
"""The mixed day's gateway: the limiter on (budgets too large to refuse anyone) so that every request is bound
to its caller — token subject, else the address locust sends in X-Forwarded-For, one per user — as in production.
With the limiter off every upstream call shares the one anonymous caller's bulkheads (8 concurrent claim writes
for the whole city), which no real day has."""
KEYS = ("mixed.saturation", "mixed.kill.500s", "mixed.kill.others_p99")
VICTIM_CLASSES = {
    "voucher": ("redeem",),
    "subsidy-claims": ("claim", "officer_queue", "officer_approve"),
    "certificate-registry": ("lookup", "verify", "claim"),
}


@dataclass(frozen=True)
class Plan:
    """How the steps run (sizes differ in quick mode)."""

    first_rate: int
    rate_step: int
    max_steps: int
    step_s: int
    warmup_s: int
    kill_s: int
    victim: str
    p99_limit_ms: float

    @classmethod
    def of(cls, ctx: Context) -> Plan:
        quick = ctx.config.quick
        env = os.environ.get
        return cls(
            first_rate=int(env("BENCH_MIXED_FIRST_RATE", "50" if quick else "100")),
            rate_step=int(env("BENCH_MIXED_RATE_STEP", "50" if quick else "100")),
            max_steps=int(env("BENCH_MIXED_MAX_STEPS", "4" if quick else "20")),
            step_s=int(env("BENCH_MIXED_STEP_S", "6" if quick else "20")),
            warmup_s=int(env("BENCH_MIXED_WARMUP_S", "2" if quick else "3")),
            kill_s=10,
            victim=env("BENCH_MIXED_KILL", "voucher"),
            p99_limit_ms=float(env("BENCH_MIXED_P99_MS", str(P99_LIMIT_MS))),
        )


# ---- statistics ----------------------------------------------------------------------------------------------

Record = tuple[float, str, int, float, str]


def pct(sorted_ms: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list (the same definition as ``bench.loadgen``)."""
    if not sorted_ms:
        return float("nan")
    k = min(len(sorted_ms) - 1, max(0, math.ceil(p / 100 * len(sorted_ms)) - 1))
    return sorted_ms[k]


def class_stats(records: list[Record]) -> dict[str, dict[str, Any]]:
    """Per route class: count, p50/p95/p99, statuses; and the same over every class as ``all``."""
    out: dict[str, dict[str, Any]] = {}
    groups: dict[str, list[Record]] = {"all": records}
    for r in records:
        groups.setdefault(r[1], []).append(r)
    for name, rows in groups.items():
        ms = sorted(r[3] for r in rows)
        statuses: dict[str, int] = {}
        for r in rows:
            statuses[str(r[2])] = statuses.get(str(r[2]), 0) + 1
        out[name] = {
            "n": len(rows),
            "p50_ms": pct(ms, 50),
            "p95_ms": pct(ms, 95),
            "p99_ms": pct(ms, 99),
            "statuses": statuses,
            "5xx": sum(v for k, v in statuses.items() if k.startswith("5")),
            "errors": statuses.get("0", 0),
        }
    return out


def window(records: list[Record], t0: float, t1: float) -> list[Record]:
    return [r for r in records if t0 <= r[0] < t1]


def stats_text(stats: dict[str, dict[str, Any]], classes: tuple[str, ...] = CLASSES) -> str:
    parts = []
    for name in classes:
        s = stats.get(name)
        if not s:
            continue
        # Every answer that is not a 2xx, by status (0: no answer at all).
        odd = sorted((k, v) for k, v in s["statuses"].items() if not k.startswith("2"))
        extra = "".join(f", {'no answer' if k == '0' else k}×{v}" for k, v in odd)
        parts.append(f"{name} {s['p50_ms']:.0f}/{s['p95_ms']:.0f}/{s['p99_ms']:.0f} ms (n {s['n']:,}{extra})")
    return "; ".join(parts)


# ---- CPU per service -----------------------------------------------------------------------------------------


class CpuSampler:
    """CPU seconds of every service (and the load generator) twice a second, so a window's CPU is read off
    afterwards from the samples at its edges."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.samples: list[tuple[float, dict[str, float]]] = []
        self.extra: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.wait(0.5):
            row: dict[str, float] = {}
            for name in SERVICE_NAMES:
                proc = self.ctx.fleet.procs.get(name)
                if proc is not None and proc.alive():
                    row[name] = proc.cpu_s()
            for name, pid in list(self.extra.items()):
                with contextlib.suppress(psutil.Error):
                    t = psutil.Process(pid).cpu_times()
                    row[name] = t.user + t.system
            self.samples.append((time.time(), row))

    def __enter__(self) -> CpuSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)

    def cores(self, t0: float, t1: float) -> dict[str, float]:
        """Cores used per process between t0 and t1 (a process restarted in between counts from its restart)."""
        inside = [s for s in self.samples if t0 <= s[0] <= t1]
        if len(inside) < 2:
            return {}
        first, last = inside[0], inside[-1]
        span = last[0] - first[0]
        out: dict[str, float] = {}
        for name, cpu in last[1].items():
            start = first[1].get(name, 0.0)
            if cpu >= start:
                out[name] = (cpu - start) / span
        return out


def cpu_text(cores: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in sorted(cores.items(), key=lambda kv: -kv[1]))


# ---- prepared requests ---------------------------------------------------------------------------------------


@dataclass
class Prepared:
    """Everything the steps send that can be used only once, handed out step by step."""

    certificates: list[dict[str, Any]] = field(default_factory=list)
    registry: Registry | None = None


async def _issue_more(ctx: Context, prep: Prepared, need: int) -> None:
    """Issue another batch of the mixed day's body (CR-4 through the registry's API) until ``need`` fit."""
    url = ctx.urls["certificate-registry"]
    while len(prep.certificates) < need:
        count = max(ctx.config.batch_size, need - len(prep.certificates))
        async with httpx.AsyncClient(base_url=ctx.proc_base("certificate-registry"), timeout=300) as client:
            body = await bench_body(ctx, SERIAL)
            reg = Registry(client, body, url)
            seed = 41 + len(ctx.shared.setdefault("mixed_batches", []))
            batch_id, _ = await reg.approved_batch(candidates(count, seed=seed))
            await reg.issue(batch_id)
            ctx.shared["mixed_batches"].append(batch_id)
        conn = await asyncpg.connect(dsn(url))
        try:
            rows = await conn.fetch(
                "SELECT number, id_number, holder_name FROM certificates WHERE batch_id = $1::uuid", batch_id
            )
        finally:
            await conn.close()
        prep.certificates += [dict(r) for r in rows]


def officer(i: int) -> Who:
    """One of the district's reviewing officers (the demo's reviewer, another subject each)."""
    return Who(REVIEWER.role, f"{REVIEWER.sub}-{i}", district=REVIEWER.district, perms=REVIEWER.perms)


def _claim_request(cert: dict[str, Any]) -> dict[str, Any]:
    who = Who("citizen", cert["id_number"])
    return {
        "path": "/api/v1/subsidy-applications",
        "body": subsidy_application(cert["number"], cert["holder_name"], 130_000),
        "headers": {"Authorization": f"Bearer {who.token()}"},
    }


async def _approvals(ctx: Context, prep: Prepared, count: int) -> list[str]:
    """Claims applied for and taken into review by the district's officer, ready for the load to approve."""
    certs, prep.certificates = prep.certificates[:count], prep.certificates[count:]
    sem = asyncio.Semaphore(8)
    async with httpx.AsyncClient(base_url=ctx.proc_base("gateway"), timeout=60) as client:
        api = Api(client)

        async def one(cert: dict[str, Any]) -> str:
            async with sem:
                who = Who("citizen", cert["id_number"])
                claim = await api.call(
                    "POST",
                    "/api/v1/subsidy-applications",
                    who,
                    json=subsidy_application(cert["number"], cert["holder_name"], 130_000),
                    key=f"mixed-{uuid.uuid4()}",
                )
                await api.call(
                    "POST",
                    f"/api/v1/subsidy/claims/{claim['id']}/start-review",
                    REVIEWER,
                    key=str(uuid.uuid4()),
                )
                return f"/api/v1/claims/{claim['id']}/approve"

        return list(await asyncio.gather(*(one(c) for c in certs)))


async def _prepare_step(ctx: Context, prep: Prepared, rate: int, seconds: float, path: Path) -> None:
    """The plan file of one locust run: enough once-only requests for ``rate`` × ``seconds`` with a margin."""
    total = rate * seconds * 1.3 + 20
    # 30 % above the expected count, and ten more: at low rates the random mix strays further from its share.
    n_claims = int(total * SHARES["claim"] / 100) + 10
    n_redeems = int(total * SHARES["redeem"] / 100) + 10
    n_approvals = int(total * SHARES["approve"] / 100) + 10
    await _issue_more(ctx, prep, n_claims + n_approvals)
    approvals = await _approvals(ctx, prep, n_approvals)
    claims = [_claim_request(c) for c in prep.certificates[:n_claims]]
    prep.certificates = prep.certificates[n_claims:]
    async with httpx.AsyncClient(base_url=ctx.proc_base("voucher"), timeout=300) as client:
        setting = await voucher_setting(ctx, client)
        redeems = await redeem_jobs(client, setting, n_redeems)
        scanners = [f"scanner-mixed-{k}" for k in range(1, SCANNERS + 1)]
        if not ctx.shared.get("mixed_scanners"):
            scenario = voucher_testdata_module().Scenario(client)
            for sub in scanners:
                await scenario.grant(setting.inst, sub)
            ctx.shared["mixed_scanners"] = scanners
    rows = ctx.config.lookup_rows
    plan = {
        "per_user_rate": PER_USER_RATE,
        "weights": SHARES,
        "lookup": ["/api" + p for p in lookup_paths(rows, count=5000, seed=17)],
        "verify": [f"/verify?n={number_of(i)}&{NAME_QUERY}" for i in range(0, rows, max(1, rows // 5000))],
        "claims": claims,
        "redeems": redeems,
        "scanners": [setting.inst.staff(sub) for sub in scanners],
        "redeem_path": "/api/v1/voucher/redemptions",
        "queue_path": "/api/v1/subsidy/claims/queue",
        "officers": [{"Authorization": f"Bearer {officer(i).token()}"} for i in range(OFFICERS)],
        "approvals": approvals,
    }
    await asyncio.to_thread(path.write_text, json.dumps(plan, ensure_ascii=False), "utf-8")
    drained = await drain_outboxes(ctx.urls.values())
    ctx.shared.setdefault("mixed_drain_s", []).append(round(drained, 1))


async def _configure(ctx: Context) -> None:
    """The CQ-10 amount table the applications are decided by (the demo's configuration)."""
    async with httpx.AsyncClient(base_url=ctx.proc_base("gateway"), timeout=60) as client:
        await Api(client).call(
            "PUT", "/api/v1/subsidy/policies/cq-eval/amount-table", CITY, json=CQ_AMOUNT_TABLE
        )


# ---- one locust run ------------------------------------------------------------------------------------------


@dataclass
class Run:
    records: list[Record]
    exhausted: dict[str, int]
    started: float
    ended: float
    locust_log: Path


def run_locust(
    ctx: Context, plan_path: Path, rate: int, seconds: float, sampler: CpuSampler, during: Any = None
) -> Run:
    """One headless locust process at ``rate`` for ``seconds``; ``during(started)`` runs beside it (the kill)."""
    users = max(1, math.ceil(rate / PER_USER_RATE))
    out = plan_path.with_suffix(".out.json")
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / "bench-locust.log"
    argv = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{math.ceil(seconds)}s",
        "--host",
        ctx.proc_base("gateway"),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "5",
        "--exit-code-on-error",
        "0",
    ]
    env = {**os.environ, "BENCH_MIXED_PLAN": str(plan_path), "BENCH_MIXED_OUT": str(out)}
    started = time.time()
    with log.open("ab") as fh:
        popen = subprocess.Popen(argv, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)  # noqa: S603
        sampler.extra["locust"] = popen.pid
        try:
            if during is not None:
                during(started)
            popen.wait(timeout=seconds + 60)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(popen.pid, signal.SIGKILL)
            raise
        finally:
            sampler.extra.pop("locust", None)
    if not out.exists():
        raise StepFailed(f"locust wrote no records (exit {popen.returncode}); see {log}")
    data = json.loads(out.read_text("utf-8"))
    records: list[Record] = [
        (float(t), str(name), int(status), float(ms), str(detail))
        for t, name, status, ms, detail in data["records"]
    ]
    return Run(records, data.get("exhausted", {}), started, time.time(), log)


def measured_window(run: Run, warmup_s: float) -> tuple[float, float]:
    """From ``warmup_s`` after the first request to the last request's start, cut to whole pacing intervals
    (spawning and start-up excluded)."""
    if not run.records:
        raise StepFailed("locust sent no request")
    first = min(r[0] for r in run.records)
    last = max(r[0] for r in run.records)
    # Whole pacing intervals only, so every user's requests are counted the same number of times.
    whole = math.floor((last - first - warmup_s) * PER_USER_RATE) / PER_USER_RATE
    if whole <= 0:
        raise StepFailed(f"the load lasted {last - first:.1f} s, not more than its {warmup_s} s warm-up")
    return first + warmup_s, first + warmup_s + whole


# ---- the steps and the kill run ------------------------------------------------------------------------------


def _steps(ctx: Context, plan: Plan, prep: Prepared, tmp: Path, sampler: CpuSampler) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    # A warm-up run at the first rate, not reported: the services' pools, prepared statements and keep-alive
    # connections to each other open in the first seconds of load, which would otherwise fall on step 1 alone.
    warm = tmp / "warm-up.json"
    asyncio.run(_prepare_step(ctx, prep, plan.first_rate, WARM_UP_S, warm))
    run_locust(ctx, warm, plan.first_rate, WARM_UP_S, sampler)
    for i in range(plan.max_steps):
        rate = plan.first_rate + i * plan.rate_step
        seconds = plan.warmup_s + plan.step_s
        plan_path = tmp / f"step-{i + 1}.json"
        asyncio.run(_prepare_step(ctx, prep, rate, seconds, plan_path))
        run = run_locust(ctx, plan_path, rate, seconds, sampler)
        t0, t1 = measured_window(run, plan.warmup_s)
        rows = window(run.records, t0, t1)
        stats = class_stats(rows)
        achieved = len(rows) / (t1 - t0)
        cores = sampler.cores(t0, t1)
        step = {
            "rate": rate,
            "achieved": achieved,
            "window_s": t1 - t0,
            "stats": stats,
            "cpu_cores": cores,
            "exhausted": run.exhausted,
        }
        steps.append(step)
        all_ = stats["all"]
        key = f"mixed.step.{i + 1}"
        ctx.figure(
            key,
            achieved,
            f"p50/p95/p99 per route class: {stats_text(stats)}; all {all_['p99_ms']:.0f} ms p99; "
            f"5xx {all_['5xx']}; CPU (cores) {cpu_text(cores)}"
            + (f"; ran out of prepared {run.exhausted}" if run.exhausted else ""),
            label=f"mixed day at {rate} req/s: achieved",
            data=step,
        )
        if all_["p99_ms"] > plan.p99_limit_ms:
            step["stopped"] = f"p99 {all_['p99_ms']:.0f} ms > {plan.p99_limit_ms:.0f} ms"
            break
        if achieved < 0.9 * rate:
            step["stopped"] = f"achieved {achieved:.0f} of {rate} req/s: the machine generates no more"
            break
    return steps


def _kill_run(
    ctx: Context, plan: Plan, prep: Prepared, tmp: Path, sampler: CpuSampler, rate: int
) -> dict[str, Any]:
    victim = plan.victim
    before_s = plan.warmup_s + 10
    seconds = before_s + plan.kill_s + 25
    plan_path = tmp / "kill.json"
    asyncio.run(_prepare_step(ctx, prep, rate, seconds, plan_path))
    marks: dict[str, float] = {}

    def kill_and_restart(started: float) -> None:
        # locust needs about 2 s to start; the kill lands about 10 s into the measured load
        time.sleep(max(0.0, started + 2 + before_s - time.time()))
        proc = ctx.fleet.procs[victim]
        marks["killed"] = time.time()
        os.killpg(proc.popen.pid, signal.SIGKILL)
        proc.popen.wait()
        time.sleep(plan.kill_s)
        marks["restarted"] = time.time()
        fresh = start_service(victim, ctx.urls[victim], extra_env=EXTRA_ENV.get(victim))
        ctx.fleet.add(fresh)
        wait_ready(fresh)
        marks["ready"] = time.time()

    run = run_locust(ctx, plan_path, rate, seconds, sampler, during=kill_and_restart)
    if "ready" not in marks:
        raise StepFailed(f"{victim} was not back after the kill")
    t0, t1 = measured_window(run, plan.warmup_s)
    windows = {
        "before": (t0, marks["killed"]),
        "outage": (marks["killed"], marks["ready"]),
        # The outage in its two parts: the victim gone, then the victim starting again (its imports and warm-up
        # share the cores with everyone else's requests), so a p99 over the limit says which part caused it.
        "down": (marks["killed"], marks["restarted"]),
        "restarting": (marks["restarted"], marks["ready"]),
        "after": (marks["ready"], t1),
        "whole": (t0, t1),
    }
    stats = {name: class_stats(window(run.records, a, b)) for name, (a, b) in windows.items()}
    whole = window(run.records, t0, t1)
    named = sum(1 for r in whole if r[2] == 503 and victim in r[4])
    return {
        "rate": rate,
        "victim": victim,
        "down_s": marks["ready"] - marks["killed"],
        "windows": {k: [round(a - t0, 1), round(b - t0, 1)] for k, (a, b) in windows.items()},
        "stats": stats,
        "500s": sum(1 for r in whole if r[2] == 500),
        "503_naming_victim": named,
        "5xx_by_status": {
            str(s): sum(1 for r in whole if r[2] == s) for s in sorted({r[2] for r in whole if r[2] >= 500})
        },
        "first_500": next((r[4] for r in whole if r[2] == 500), ""),
        "cpu_cores": sampler.cores(t0, t1),
        "exhausted": run.exhausted,
    }


def measure(ctx: Context) -> None:
    plan = Plan.of(ctx)
    try:
        for name in ("gateway", "certificate-registry", "org-filing", "subsidy-claims", "voucher"):
            ctx.proc_base(name)
        restart_gateway(ctx, GATEWAY_ENV)
        asyncio.run(_configure(ctx))
        prep = Prepared()
        with tempfile.TemporaryDirectory(prefix="bench-mixed-") as d, CpuSampler(ctx) as sampler:
            tmp = Path(d)
            steps = _steps(ctx, plan, prep, tmp, sampler)
            good = [s for s in steps if "stopped" not in s]
            best = max(good, key=lambda s: s["achieved"]) if good else None
            last = steps[-1]
            why = last.get("stopped") or f"the last of {plan.max_steps} steps was reached"
            summary = "; ".join(
                f"{s['rate']}/s → {s['achieved']:.0f}/s p99 {s['stats']['all']['p99_ms']:.0f} ms 5xx "
                f"{s['stats']['all']['5xx']}"
                for s in steps
            )
            ctx.figure(
                "mixed.saturation",
                best["achieved"] if best else None,
                f"steps of {plan.step_s} s after {plan.warmup_s} s warm-up, locust (FastHttpUser, "
                f"{PER_USER_RATE:g} req/s per user): {summary}; stopped: {why}; before each run the set-up's "
                f"outbox backlog was drained (seconds: {ctx.shared.get('mixed_drain_s', [])})",
                label=f"mixed day: highest rate with p99 ≤ {plan.p99_limit_ms:.0f} ms",
                note="" if best else f"no step kept p99 under {plan.p99_limit_ms:.0f} ms",
                data={"steps": steps, "plan": vars(plan)},
            )
            saturation = best["achieved"] if best else steps[0]["achieved"]
            kill_rate = max(plan.first_rate // 2, int(round(saturation / 2 / 10) * 10))
            try:
                kill = _kill_run(ctx, plan, prep, tmp, sampler, kill_rate)
            except (StepFailed, RuntimeError, OSError, httpx.HTTPError, DemoError) as exc:
                for key in ("mixed.kill.500s", "mixed.kill.others_p99"):
                    ctx.missing(key, str(exc))
                return
        report_kill(ctx, kill)
    except (StepFailed, RuntimeError, OSError, httpx.HTTPError, DemoError, asyncpg.PostgresError) as exc:
        for key in KEYS:
            if ctx.results.get(key) is None:
                ctx.missing(key, str(exc))


def restart_gateway(ctx: Context, extra: dict[str, str]) -> None:
    """The gateway again on its port, with the bench's own settings and ``extra`` on top."""
    ctx.fleet.stop("gateway")
    proc = start_service("gateway", ctx.urls["gateway"], extra_env={**EXTRA_ENV.get("gateway", {}), **extra})
    ctx.fleet.add(proc)
    wait_ready(proc)


def report_kill(ctx: Context, kill: dict[str, Any]) -> None:
    victim = kill["victim"]
    hit = VICTIM_CLASSES.get(victim, ())
    others = tuple(c for c in CLASSES if c not in hit)
    outage = kill["stats"]["outage"]
    other_p99 = [outage[c]["p99_ms"] for c in others if c in outage]
    other_5xx = sum(outage[c]["5xx"] for c in others if c in outage)
    w = kill["windows"]
    where = (
        f"{kill['rate']} req/s; {victim} SIGKILLed at {w['outage'][0]:.0f} s, restarted after 10 s, ready again at "
        f"{w['outage'][1]:.0f} s (down {kill['down_s']:.1f} s)"
    )
    ctx.figure(
        "mixed.kill.500s",
        kill["500s"],
        f"{where}; 5xx by status {kill['5xx_by_status'] or 'none'}, of them 503 naming {victim}: "
        f"{kill['503_naming_victim']}" + (f"; first 500: {kill['first_500'][:150]}" if kill["500s"] else ""),
        data=kill,
    )
    ctx.figure(
        "mixed.kill.others_p99",
        max(other_p99) if other_p99 else None,
        f"while {victim} was down: {stats_text(outage, others)}; 5xx on those routes {other_5xx}; before the kill: "
        f"{stats_text(kill['stats']['before'], others)}; of the outage, while {victim} was gone: "
        f"{stats_text(kill['stats']['down'], others)}, and while it started again: "
        f"{stats_text(kill['stats']['restarting'], others)}; after: {stats_text(kill['stats']['after'], others)}; "
        f"{victim}'s own routes while down: {stats_text(outage, hit)}",
        label=f"mixed day, {victim} killed: worst p99 of the other route classes",
        data={"outage": outage},
    )
