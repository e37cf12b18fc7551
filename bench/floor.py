"""1. The ceilings: the floor app (started here, measured with the look-ups) and pgbench select-only on the
registry's database."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from bench.common import Context, StepFailed
from bench.infra import dsn, free_port, start_module, wait_ready


def pgbench_exe() -> Path:
    import pgserver

    return Path(pgserver.__file__).parent / "pginstall" / "bin" / "pgbench"


def libpq_uri(url: str) -> str:
    """The registry URL in the form libpq (pgbench) reads."""
    return dsn(url).replace("postgresql+asyncpg://", "postgresql://")


LOOKUP_SCRIPT = """\\set i random(0, {last})
SELECT number, holder_name, id_number, occupation_code, occupation_name, work_type, level, issue_date, body_code,
  body_name, obtained_by, status, revoked_reason, revoked_on FROM certificates
WHERE number = 'S00005000' || lpad((1 + (:i / 999999) / 35)::text, 4, '0')
  || lpad((20 + ((:i / 999999) / 5) % 7)::text, 2, '0') || ((:i / 999999) % 5 + 1)::text
  || lpad((:i % 999999 + 1)::text, 6, '0');
"""


def run_pgbench(args: list[str], uri: str, timeout_s: int) -> float:
    proc = subprocess.run(  # noqa: S603 - fixed argv
        [str(pgbench_exe()), *args, uri], capture_output=True, text=True, timeout=timeout_s, check=False
    )
    match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", proc.stdout)
    if proc.returncode != 0 or match is None:
        raise StepFailed(f"pgbench exit {proc.returncode}: {(proc.stderr or proc.stdout).strip()[-200:]}")
    return float(match.group(1))


def start_floor(ctx: Context) -> None:
    """Start the floor app on the registry's database (one worker, like every service)."""
    url = ctx.urls.get("certificate-registry")
    if url is None:
        raise StepFailed(ctx.unavailable.get("certificate-registry", "registry database not prepared"))
    port = free_port(8000 + ctx.config.port_offset + 90)
    proc = ctx.fleet.add(
        start_module("floor", "bench.floor_app:create_app", port, {"BENCH_FLOOR_DSN": dsn(url)})
    )
    wait_ready(proc)


def measure(ctx: Context) -> None:
    """pgbench on the registry's database (the HTTP floor is measured with the look-ups, interleaved)."""
    cfg = ctx.config
    url = ctx.urls.get("certificate-registry")
    if url is None:
        for key in ("floor.pgbench", "floor.pgbench_lookup"):
            ctx.missing(key, "registry database not prepared")
        return
    uri = libpq_uri(url)
    common = [
        "-n",
        "-M",
        "prepared",
        "-c",
        str(cfg.connections),
        "-j",
        str(cfg.threads),
        "-T",
        str(cfg.duration_s),
    ]
    try:
        scale = max(1, cfg.lookup_rows // 100_000)
        run_init = subprocess.run(  # noqa: S603 - fixed argv
            [str(pgbench_exe()), "-i", "-q", "-s", str(scale), uri],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if run_init.returncode != 0:
            raise StepFailed(f"pgbench -i failed: {run_init.stderr.strip()[-200:]}")
        tps = run_pgbench(["-S", *common], uri, cfg.duration_s + 120)
        ctx.shared["pgbench"] = tps
        ctx.figure(
            "floor.pgbench",
            tps,
            f"{tps:,.0f} tps, pgbench_accounts scale {scale}, "
            f"{cfg.connections} clients, {cfg.threads} threads, {cfg.duration_s} s",
            data={"tps": tps, "scale": scale},
        )
    except (StepFailed, OSError, subprocess.TimeoutExpired) as exc:
        ctx.missing("floor.pgbench", str(exc))
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as fh:
            fh.write(LOOKUP_SCRIPT.format(last=cfg.lookup_rows - 1))
            script = fh.name
        tps = run_pgbench(["-f", script, *common], uri, cfg.duration_s + 120)
        Path(script).unlink(missing_ok=True)
        ctx.figure(
            "floor.pgbench_lookup",
            tps,
            f"{tps:,.0f} tps on certificates ({cfg.lookup_rows:,} rows), same query as the registry",
            data={"tps": tps},
        )
    except (StepFailed, OSError, subprocess.TimeoutExpired) as exc:
        ctx.missing("floor.pgbench_lookup", str(exc))
