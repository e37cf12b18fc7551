"""Sizes and durations of one bench run, read once from the environment so every module agrees on them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RESULTS_DIR = Path(__file__).resolve().parent / "results"
RESULTS_DIR = Path(os.environ.get("BENCH_RESULTS_DIR") or DEFAULT_RESULTS_DIR)
"""Where latest.{json,md,png} go; ``BENCH_RESULTS_DIR`` sends a side run elsewhere."""
LOG_DIR = REPO_ROOT / ".data" / "logs"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip().replace("_", "")
    return int(raw) if raw else default


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class BenchConfig:
    """Everything a measurement may size itself by; quick mode shrinks sizes and durations, not the method."""

    quick: bool
    duration_s: int
    """Length of one wrk run; every HTTP figure that is compared with the floor uses the same length."""
    warmup_s: int
    connections: int
    threads: int
    lookup_rows: int
    scale_rows: int
    scale_budget_s: int
    """Wall-clock budget of loading the scale database, index builds included; a larger target is cut to fit."""
    scale_connections: int
    batch_size: int
    concurrent_issues: int
    voucher_holders: int
    redeems: int
    policy_seconds: float
    claim_rate: int
    claim_seconds: int
    port_offset: int
    database_prefix: str
    database_url: str | None
    only: frozenset[str]
    """Measurement names to run (``BENCH_ONLY=floor,registry``); empty means all."""

    @classmethod
    def from_env(cls) -> BenchConfig:
        quick = _flag("BENCH_QUICK")
        only = frozenset(p.strip() for p in os.environ.get("BENCH_ONLY", "").split(",") if p.strip())
        return cls(
            quick=quick,
            duration_s=_int("BENCH_DURATION_S", 3 if quick else 10),
            warmup_s=_int("BENCH_WARMUP_S", 1 if quick else 2),
            connections=_int("BENCH_CONNECTIONS", 32),
            threads=2,
            lookup_rows=_int("BENCH_LOOKUP_ROWS", 10_000 if quick else 100_000),
            scale_rows=_int("BENCH_SCALE_ROWS", 200_000 if quick else 10_000_000),
            scale_budget_s=_int("BENCH_SCALE_BUDGET_S", 60 if quick else 180),
            scale_connections=_int("BENCH_SCALE_CONNECTIONS", 4),
            batch_size=_int("BENCH_BATCH_SIZE", 1_000 if quick else 10_000),
            concurrent_issues=_int("BENCH_CONCURRENT_ISSUES", 16 if quick else 64),
            voucher_holders=_int("BENCH_VOUCHER_HOLDERS", 10_000 if quick else 300_000),
            redeems=_int("BENCH_REDEEMS", 300 if quick else 6_000),
            policy_seconds=1.0 if quick else 3.0,
            claim_rate=_int("BENCH_CLAIM_RATE", 200 if quick else 400),
            claim_seconds=_int("BENCH_CLAIM_SECONDS", 3 if quick else 6),
            port_offset=_int("SKILLS_PORT_OFFSET", 400),
            database_prefix=os.environ.get("SKILLS_DATABASE_PREFIX", "bench_"),
            database_url=os.environ.get("BENCH_DATABASE_URL") or None,
            only=only,
        )

    def wants(self, name: str) -> bool:
        return not self.only or name in self.only
