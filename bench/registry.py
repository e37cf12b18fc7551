"""2–4. The registry: look-ups against the floor (direct and through the gateway), issuance, and scale."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx

from bench import wrk
from bench.common import Context, StepFailed, bearer, cpu_text, expect, idem, oneline
from bench.data import (
    NAME_QUERY,
    copy_certificates,
    gender_of,
    lookup_paths,
    number_of,
    resident_ids,
)
from bench.filing import OCCUPATION, Filed, filed_bodies
from bench.floor import start_floor
from bench.infra import (
    db_activity,
    describe_waits,
    drop_database,
    dsn,
    ensure_database,
    free_port,
    spec,
    start_service,
    wait_ready,
)
from bench.scale_load import ScaleLoad, load_scale
from bench.scale_server import scale_server_url
from bench.wrk import WrkResult
from skills_shared.db.migrations import head_revisions
from skills_shared.workdays import today_shanghai
from skills_tools.run import database_of

ISSUE_SERIAL = 901
SINGLE_SERIAL = 902
"""Credit-code serials of the bench's two bodies (the timed batch; the concurrent single issues)."""

# ---- set-up -------------------------------------------------------------------------------------------------


def load_lookup_rows(ctx: Context) -> None:
    """COPY the look-up working set into the freshly migrated registry database."""
    url = ctx.urls["certificate-registry"]
    seconds = asyncio.run(copy_certificates(url, ctx.config.lookup_rows))
    ctx.notes.append(
        f"registry look-up set: {ctx.config.lookup_rows:,} certificates loaded with COPY in {seconds:.1f} s"
    )


def ratio_text(result: WrkResult, floor: WrkResult | None, pgbench: float | None) -> str:
    parts = [result.summary()]
    if floor is not None:
        parts.append(f"floor {floor.rps:,.0f} req/s")
    if pgbench:
        parts.append(f"{result.rps / pgbench:.2f} × pgbench -S ({pgbench:,.0f} tps)")
    return "; ".join(parts)


def lookup_figure(ctx: Context, key: str, result: WrkResult, cpu: str = "") -> None:
    floor: WrkResult | None = ctx.shared.get("floor")
    pgbench: float | None = ctx.shared.get("pgbench")
    if result.error_share > 0.01:
        raise StepFailed(f"{result.error_share:.0%} of {result.requests:,} requests failed or were not 2xx")
    text = ratio_text(result, floor, pgbench) + (f"; {cpu}" if cpu else "")
    if floor is None:
        ctx.figure(
            key, None, text, note="no floor figure to divide by", data={"rps": result.rps, **result.as_dict()}
        )
        return
    ctx.figure(key, result.rps / floor.rps, text, data={"rps": result.rps, **result.as_dict()})


# ---- 2. look-ups ----------------------------------------------------------------------------------------------

GATEWAY_CANDIDATES = (
    "/api/v1/certificates/{number}?{query}",
    "/v1/certificates/{number}?{query}",
    "/v1/public/certificates/{number}?{query}",
    "/v1/registry/certificates/{number}?{query}",
)


def gateway_template(base: str) -> str:
    """The gateway's public look-up path: the first candidate that answers 200 for a stored certificate."""
    number = number_of(0)
    seen: list[str] = []
    for template in GATEWAY_CANDIDATES:
        path = template.format(number=number, query=NAME_QUERY)
        resp = httpx.get(base + path, timeout=10)
        if resp.status_code == 200:
            return template
        seen.append(f"{template.split('?')[0]} → {resp.status_code}")
    raise StepFailed("no gateway look-up route answered 200: " + "; ".join(seen))


@dataclass
class Target:
    """One look-up endpoint in the interleaved rounds: where it is, which processes to watch, its rounds."""

    key: str
    base: str
    paths: list[str]
    watch: list[tuple[str, str]]  # (process name, label for its CPU figure)
    rounds: list[WrkResult] = field(default_factory=list)
    mems: list[dict[str, dict[str, float]]] = field(default_factory=list)

    def median(self) -> WrkResult:
        ordered = sorted(self.rounds, key=lambda r: r.rps)
        return ordered[len(ordered) // 2]

    def cpu(self) -> str:
        requests = sum(r.requests for r in self.rounds)
        parts = []
        for name, label in self.watch:
            total = {
                "cpu_s": sum(m[name]["cpu_s"] for m in self.mems),
                "wall_s": sum(m[name]["wall_s"] for m in self.mems),
            }
            parts.append(cpu_text(total, requests, label))
        return "; ".join(p for p in parts if p)


def lookup_targets(ctx: Context) -> list[Target]:
    """Floor, registry and gateway look-ups that can run; the ones that cannot are recorded as not measured."""
    paths = lookup_paths(ctx.config.lookup_rows)
    targets: list[Target] = []
    try:
        start_floor(ctx)
        targets.append(Target("floor.http", ctx.fleet.procs["floor"].base, paths, [("floor", "floor app")]))
    except (StepFailed, RuntimeError, OSError) as exc:
        ctx.missing("floor.http", str(exc))
    try:
        base = ctx.proc_base("certificate-registry")
        expect(httpx.get(base + paths[0], timeout=10), 200, what="registry look-up")
        targets.append(Target("registry.lookup.direct", base, paths, [("certificate-registry", "registry")]))
    except (StepFailed, httpx.HTTPError) as exc:
        ctx.missing("registry.lookup.direct", str(exc))
    try:
        base = ctx.proc_base("gateway")
        ctx.proc_base("certificate-registry")
        template = gateway_template(base)
        gpaths = [template.format(number=p.split("/")[3].split("?")[0], query=NAME_QUERY) for p in paths]
        targets.append(
            Target(
                "registry.lookup.gateway",
                base,
                gpaths,
                [("gateway", "gateway"), ("certificate-registry", "registry behind it")],
            )
        )
    except (StepFailed, httpx.HTTPError) as exc:
        ctx.missing("registry.lookup.gateway", str(exc))
    return targets


def measure_lookups(ctx: Context) -> None:
    """Floor, direct and gateway look-ups in interleaved rounds (floor, direct, gateway, floor, …), each figure
    the median round: on a shared machine a background burst then hits every target alike instead of one."""
    cfg = ctx.config
    targets = lookup_targets(ctx)
    rounds = 1 if cfg.quick else 3
    seconds = cfg.duration_s if cfg.quick else max(3, cfg.duration_s // 2)
    for t in targets:
        wrk.run(t.base, t.paths, duration_s=cfg.warmup_s, connections=cfg.connections)
    for _ in range(rounds):
        for t in targets:
            with contextlib.ExitStack() as stack:
                mems = {name: stack.enter_context(ctx.fleet.peak_during(name)) for name, _ in t.watch}
                result = wrk.run(
                    t.base, t.paths, duration_s=seconds, connections=cfg.connections, threads=cfg.threads
                )
            t.rounds.append(result)
            t.mems.append(mems)
    for t in targets:
        for name, _ in t.watch[:1]:
            if name != "floor":
                peak = max(m[name]["peak_mb"] for m in t.mems)
                load_rss = ctx.shared.setdefault("load_rss", {})
                load_rss[name] = max(load_rss.get(name, 0.0), peak)
    floor_target = next((t for t in targets if t.key == "floor.http"), None)
    if floor_target is not None:
        result = floor_target.median()
        if result.error_share > 0.01:
            ctx.missing("floor.http", f"{result.error_share:.0%} of floor requests failed")
        else:
            ctx.shared["floor"] = result
            ctx.figure(
                "floor.http",
                result.rps,
                f"{result.summary()}; {floor_target.cpu()}{spread(floor_target)}",
                data={"rps": result.rps, "rounds": [r.rps for r in floor_target.rounds], **result.as_dict()},
            )
    for t in targets:
        if t.key == "floor.http":
            continue
        try:
            lookup_figure(ctx, t.key, t.median(), t.cpu() + spread(t))
        except StepFailed as exc:
            ctx.missing(t.key, str(exc))


def spread(t: Target) -> str:
    if len(t.rounds) < 2:
        return ""
    return f"; median of {len(t.rounds)} rounds: " + " / ".join(f"{r.rps:,.0f}" for r in t.rounds) + " req/s"


# ---- 3. issuance ----------------------------------------------------------------------------------------------


async def bench_body(ctx: Context, serial: int) -> Filed:
    """The bench body with credit-code ``serial``, filed in org-filing (with its plan) through the gateway the
    first time it is asked for; later steps of the same run reuse it."""
    ctx.proc_base("org-filing")
    ctx.proc_base("certificate-registry")
    bodies: dict[int, Filed] = ctx.shared.setdefault("bodies", {})
    if serial not in bodies:
        (bodies[serial],) = await filed_bodies(
            ctx.proc_base("gateway"),
            ctx.urls["org-filing"],
            [serial],
            today_shanghai(),
        )
    return bodies[serial]


def candidates(count: int, seed: int) -> list[dict[str, Any]]:
    return [
        {"name": "张三", "id_number": idn, "gender": gender_of(idn), "scores": {"theory": 80, "skill": 85}}
        for idn in resident_ids(count, area="500107", seed=seed)
    ]


class Registry:
    """A filed body's side of the registry API: just enough calls to bring batches to the point of issue."""

    def __init__(self, client: httpx.AsyncClient, body: Filed, url: str) -> None:
        self.client = client
        self.body = body
        self.url = url
        self.staff = bearer("org_staff", sub=f"staff-{body.code}", body=body.code)
        self.officer = bearer("city_officer", sub="city-officer")

    async def approved_batch(self, people: list[dict[str, Any]]) -> tuple[str, float]:
        """Create, upload, publicise, backdate the publicity (the bench cannot wait 5 working days), approve.

        Returns the batch id and the seconds the upload took.
        """
        body = {
            "body_code": self.body.code,
            "plan_id": self.body.plan_id,
            **OCCUPATION,
            "level": 3,
            "evaluation_date": self.body.evaluation_day.isoformat(),
            "method": "examination",
            "guantong": False,
        }
        batch = expect(
            await self.client.post("/v1/batches", json=body, headers={**self.staff, **idem()}), 201
        )
        batch_id = batch["id"]
        t = time.perf_counter()
        expect(
            await self.client.put(
                f"/v1/batches/{batch_id}/results", json={"candidates": people}, headers=self.staff
            ),
            200,
        )
        upload_s = time.perf_counter() - t
        expect(
            await self.client.post(f"/v1/batches/{batch_id}/publicity", headers={**self.staff, **idem()}), 200
        )
        conn = await asyncpg.connect(dsn(self.url))
        try:
            await conn.execute(
                "UPDATE batches SET publicity_starts = current_date - 30, publicity_ends = current_date - 20 "
                "WHERE id = $1::uuid",
                batch_id,
            )
        finally:
            await conn.close()
        expect(
            await self.client.post(f"/v1/batches/{batch_id}/approval", headers={**self.officer, **idem()}),
            200,
        )
        return batch_id, upload_s

    async def issue(self, batch_id: str, client: httpx.AsyncClient | None = None) -> dict[str, Any]:
        resp = await (client or self.client).post(
            f"/v1/batches/{batch_id}/issue", headers={**self.staff, **idem()}
        )
        out: dict[str, Any] = expect(resp, 201)
        return out


async def _batch_issue(ctx: Context, base: str) -> None:
    url = ctx.urls["certificate-registry"]
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        reg = Registry(client, await bench_body(ctx, ISSUE_SERIAL), url)
        batch_id, upload_s = await reg.approved_batch(candidates(ctx.config.batch_size, seed=21))
        t = time.perf_counter()
        out = await reg.issue(batch_id)
        seconds = time.perf_counter() - t
    issued = int(out.get("issued_count", 0))
    if issued != ctx.config.batch_size:
        raise StepFailed(f"issued {issued} of {ctx.config.batch_size}")
    conn = await asyncpg.connect(dsn(url))
    try:
        rows = await conn.fetch(
            "SELECT number, id_number, holder_name, level, issue_date FROM certificates "
            "WHERE batch_id = $1::uuid ORDER BY serial",
            batch_id,
        )
    finally:
        await conn.close()
    # The subsidy step claims for these: real certificates, issued today, known to the registry.
    ctx.shared["issued"] = [
        {
            "number": r["number"],
            "id_number": r["id_number"],
            "name": r["holder_name"],
            "level": r["level"],
            "issue_date": r["issue_date"],
        }
        for r in rows
    ]
    label = f"issue a {ctx.config.batch_size:,}-candidate batch"
    ctx.figure(
        "issue.batch",
        seconds,
        f"{issued:,} certificates in {seconds:.2f} s ({issued / seconds:,.0f}/s), one request; "
        f"the upload before it took {upload_s:.2f} s",
        label=label,
        note="time of the issue request as seen by a client on the same host",
        data={"seconds": seconds, "issued": issued, "upload_s": upload_s},
    )


async def _concurrent_issues(ctx: Context, base_one: str) -> None:
    """N one-candidate batches of the same body, year and level, issued at once against two workers."""
    n = ctx.config.concurrent_issues
    url = ctx.urls["certificate-registry"]
    async with httpx.AsyncClient(base_url=base_one, timeout=60) as client:
        reg = Registry(client, await bench_body(ctx, SINGLE_SERIAL), url)
        people = candidates(n, seed=33)
        sem = asyncio.Semaphore(8)

        async def prepare(person: dict[str, Any]) -> str:
            async with sem:
                batch_id, _ = await reg.approved_batch([person])
                return batch_id

        batch_ids = await asyncio.gather(*(prepare(p) for p in people))
    port = free_port(8000 + ctx.config.port_offset + 60)
    proc = ctx.fleet.add(start_service("certificate-registry", url, workers=2, port=port, tag="registry-2w"))
    try:
        wait_ready(proc)
        limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
        async with httpx.AsyncClient(base_url=proc.base, timeout=60, limits=limits) as client:
            reg.client = client
            await client.get("/readyz")
            with db_activity(url) as waits:
                t = time.perf_counter()
                outcomes = await asyncio.gather(*(reg.issue(b) for b in batch_ids), return_exceptions=True)
                seconds = time.perf_counter() - t
    finally:
        ctx.fleet.stop("registry-2w")
    failed = [o for o in outcomes if isinstance(o, BaseException)]
    conn = await asyncpg.connect(dsn(url))
    try:
        row = await conn.fetchrow(
            "SELECT count(*) AS n, count(DISTINCT serial) AS distinct_serials, coalesce(max(serial), 0) AS top, "
            "coalesce(min(serial), 0) AS bottom, count(DISTINCT number) AS numbers FROM certificates "
            "WHERE body_code = $1",
            reg.body.code,
        )
    finally:
        await conn.close()
    assert row is not None  # an aggregate always returns one row
    count, distinct, top, bottom = (
        int(row["n"]),
        int(row["distinct_serials"]),
        int(row["top"]),
        int(row["bottom"]),
    )
    duplicates = (count - distinct) + (count - int(row["numbers"]))
    gaps = (top - distinct) + (max(bottom, 1) - 1)
    ok = n - len(failed)
    reason = f"; {len(failed)} failed: {str(failed[0])[:150]}" if failed else ""
    ctx.figure(
        "issue.concurrent",
        ok / seconds,
        f"{ok} of {n} single issues in {seconds:.2f} s over 2 uvicorn workers{reason}; "
        f"{describe_waits(waits)}",
        label=f"{n} concurrent single issues, 2 workers",
        data={"ok": ok, "n": n, "seconds": seconds},
    )
    checked = f"checked in the database: {count} certificates, serials {bottom}–{top}, {distinct} distinct"
    ctx.figure("issue.duplicates", duplicates, checked, data={"count": count})
    ctx.figure("issue.gaps", gaps, checked, data={"count": count})


def measure_issuance(ctx: Context) -> None:
    try:
        base = ctx.proc_base("certificate-registry")
        asyncio.run(_batch_issue(ctx, base))
    except (StepFailed, httpx.HTTPError, asyncpg.PostgresError, OSError) as exc:
        ctx.missing("issue.batch", str(exc), label=f"issue a {ctx.config.batch_size:,}-candidate batch")
    try:
        base = ctx.proc_base("certificate-registry")
        asyncio.run(_concurrent_issues(ctx, base))
    except (StepFailed, httpx.HTTPError, asyncpg.PostgresError, RuntimeError, OSError) as exc:
        for key in ("issue.concurrent", "issue.duplicates", "issue.gaps"):
            ctx.missing(key, str(exc))


# ---- 4. scale -------------------------------------------------------------------------------------------------


def scale_server(ctx: Context, name: str) -> tuple[str, float]:
    """The server that holds the scale database, and the seconds it took to start.

    The embedded setup gives it a server of its own (``bench.scale_server``); a scale database left on the main
    bench server by an earlier version of the bench is dropped there, since nothing reads it any more.
    """
    if not ctx.embedded:
        return ctx.server, 0.0
    t = time.perf_counter()
    url = scale_server_url()
    drop_database(ctx.server, name)
    return url, time.perf_counter() - t


def measure_scale(ctx: Context) -> None:
    cfg = ctx.config
    try:
        reference = ctx.urls.get("certificate-registry")
        if reference is None:
            raise StepFailed(ctx.unavailable.get("certificate-registry", "registry database not prepared"))
        s = spec("certificate-registry")
        heads = ",".join(sorted(head_revisions(s.migrations_dir)))
        name = database_of(s) + ("_scale_quick" if cfg.quick else "_scale")
        server, start_s = scale_server(ctx, name)
        url = ensure_database(server, name)
        from skills_shared.db.migrations import upgrade

        t = time.perf_counter()
        try:
            # New revisions are applied to the stored rows, as they would be in production.
            upgrade(s.migrations_dir, url)
        except Exception as exc:  # a revision that cannot run on a full table: start the data again
            ctx.notes.append(
                f"scale database rebuilt: its migration failed on the stored rows ({oneline(exc)})"
            )
            url = ensure_database(server, name, fresh=True)
            upgrade(s.migrations_dir, url)
        migrate_s = time.perf_counter() - t
        load: ScaleLoad = asyncio.run(load_scale(url, reference, heads, cfg.scale_rows, cfg.scale_budget_s))
        print(
            f"    scale load: server start {start_s:.0f} s, migration {migrate_s:.0f} s, "
            f"{load.loaded_now:,} rows loaded in {load.seconds:.0f} s ({load.phase_text() or 'nothing to do'})",
            flush=True,
        )
        port = free_port(8000 + cfg.port_offset + 70)
        proc = ctx.fleet.add(start_service("certificate-registry", url, port=port, tag="registry-scale"))
        try:
            wait_ready(proc)
            sides = [
                (lookup_paths(cfg.lookup_rows, count=20_000, seed=5), ctx.proc_base("certificate-registry")),
                (lookup_paths(load.rows, count=20_000, seed=5), proc.base),
            ]
            for paths, base in sides:
                wrk.run(base, paths, duration_s=cfg.warmup_s, connections=cfg.scale_connections)
            # Interleaved rounds (small, large, small, …), median by p50, for the same reason as the look-ups.
            rounds: list[list[WrkResult]] = [[], []]
            for _ in range(1 if cfg.quick else 3):
                for i, (paths, base) in enumerate(sides):
                    rounds[i].append(
                        wrk.run(
                            base,
                            paths,
                            duration_s=cfg.duration_s if cfg.quick else max(3, cfg.duration_s // 2),
                            connections=cfg.scale_connections,
                            threads=min(2, cfg.scale_connections),
                        )
                    )
        finally:
            ctx.fleet.stop("registry-scale")
        small, large = (sorted(r, key=lambda x: x.p50_ms)[len(r) // 2] for r in rounds)
        for r in (small, large):
            if r.error_share > 0.01:
                raise StepFailed(f"{r.error_share:.0%} of scale look-ups failed")
        how = (
            f"{load.loaded_now:,} rows loaded now in {load.seconds:.0f} s"
            + (f" ({load.phase_text()})" if load.loaded_now else "")
            + (f", {load.reused:,} kept from an earlier run" if load.reused else "")
            + f" (all loading of this data took {load.total_load_s:.0f} s, index builds included)"
        )
        note = ""
        if load.rows < cfg.scale_rows:
            note = (
                f"only {load.rows:,} of {cfg.scale_rows:,} rows fit the {cfg.scale_budget_s} s load budget on "
                f"this machine (BENCH_SCALE_ROWS / BENCH_SCALE_BUDGET_S); a rerun continues the load"
            )
        ctx.figure(
            "scale.ratio",
            large.p50_ms / small.p50_ms,
            f"{cfg.lookup_rows:,} rows: p50 {small.p50_ms:.2f} / p99 {small.p99_ms:.2f} ms, {small.rps:,.0f} req/s; "
            f"{load.rows:,} rows: p50 {large.p50_ms:.2f} / p99 {large.p99_ms:.2f} ms, {large.rps:,.0f} req/s; "
            f"p99 ratio {large.p99_ms / small.p99_ms:.2f}; {cfg.scale_connections} conns, median of "
            f"{len(rounds[0])} interleaved rounds; {how}",
            label=f"look-up p50 at {load.rows:,} / at {cfg.lookup_rows:,} rows",
            note=note,
            data={
                "rows": load.rows,
                "target_rows": cfg.scale_rows,
                "small": small.as_dict(),
                "large": large.as_dict(),
                "load_s": load.seconds,
                "loaded_now": load.loaded_now,
                "load_phases_s": load.phases,
                "server_start_s": start_s,
                "migrate_s": migrate_s,
            },
        )
    except (StepFailed, RuntimeError, OSError, asyncpg.PostgresError, httpx.HTTPError) as exc:
        ctx.missing("scale.ratio", str(exc))
