"""What every measurement shares: the run context, figure targets, tokens and strict HTTP steps."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.config import BenchConfig
from bench.infra import Fleet
from bench.report import Figure, Results
from skills_shared.auth import mint_token
from skills_shared.settings import DEV_JWT_SECRET

SECRET = DEV_JWT_SECRET


@dataclass(frozen=True)
class Spec:
    """Where a figure sits and what it must reach: the one place targets are written down."""

    section: str
    label: str
    unit: str = ""
    op: str | None = None
    threshold: float | None = None


CATALOGUE: dict[str, Spec] = {
    "floor.http": Spec("1. Floor", "floor: bare Starlette + asyncpg look-up", "req/s"),
    "floor.pgbench": Spec("1. Floor", "floor: pgbench -S (select-only, prepared)", "tps"),
    "floor.pgbench_lookup": Spec("1. Floor", "pgbench: the registry look-up query", "tps"),
    "registry.lookup.direct": Spec("2. Registry", "look-up direct / floor", "× floor", ">=", 0.85),
    "registry.lookup.gateway": Spec("2. Registry", "look-up via gateway / floor", "× floor", ">=", 0.60),
    "issue.batch": Spec("3. Issuance", "issue a 10,000-candidate batch", "s", "<", 2.0),
    "issue.concurrent": Spec("3. Issuance", "concurrent single issues, 2 workers", "issues/s"),
    "issue.duplicates": Spec("3. Issuance", "duplicate serials after concurrent issues", "", "==", 0),
    "issue.gaps": Spec("3. Issuance", "gaps in serials after concurrent issues", "", "==", 0),
    "scale.ratio": Spec("4. Scale", "look-up p50 at large / at 100,000 rows", "×", "<=", 1.5),
    "voucher.bulk": Spec("5. Vouchers", "bulk issue of 300,000 holders", "s", "<", 60.0),
    "voucher.redeem": Spec("5. Vouchers", "redeem throughput", "redeems/s", ">=", 1500.0),
    "subsidy.policy": Spec("6. Subsidy", "policy evaluations in-process", "evals/s", ">=", 20_000.0),
    "subsidy.claim_p95": Spec(
        "6. Subsidy", "claim submit p95 at a constant rate (400/s; quick 200/s)", "ms", "<", 20.0
    ),
    "loadgen.overhead": Spec("6. Subsidy", "constant-rate client against the floor (own overhead)", "ms p95"),
    "demo.load": Spec("8. Demo", "make demo: the demo world loaded through the APIs", "s", "<", 60.0),
}
CATALOGUE["cold.ready_s"] = Spec("10. Cold start", "registry restart: start to /readyz 200", "s")
CATALOGUE["cold.first_second_p99"] = Spec(
    "10. Cold start", "registry restart: first-second p99 / steady p99", "×", "<=", 2.0
)
CATALOGUE["mixed.saturation"] = Spec("9. Mixed day", "mixed day: highest rate with p99 ≤ 200 ms", "req/s")
CATALOGUE["mixed.kill.500s"] = Spec("9. Mixed day", "mixed day, one service killed: 500 answers", "", "==", 0)
CATALOGUE["mixed.kill.others_p99"] = Spec(
    "9. Mixed day", "mixed day, one service killed: worst p99 of the other route classes", "ms", "<", 200.0
)
for _step in range(1, 41):
    CATALOGUE[f"mixed.step.{_step}"] = Spec("9. Mixed day", f"mixed day step {_step}: achieved", "req/s")
SERVICE_NAMES = ("gateway", "certificate-registry", "org-filing", "subsidy-claims", "voucher")
for _name in SERVICE_NAMES:
    CATALOGUE[f"memory.{_name}.idle"] = Spec("7. Memory", f"{_name} RSS idle", "MB", "<", 150.0)
    CATALOGUE[f"memory.{_name}.load"] = Spec("7. Memory", f"{_name} RSS peak under load", "MB")


class StepFailed(RuntimeError):
    """An HTTP step of a set-up or measurement did not answer as expected; the message becomes the reason."""


@dataclass
class Context:
    """One run's shared state: configuration, results, processes, databases, and figures others divide by."""

    config: BenchConfig
    results: Results
    fleet: Fleet
    server: str
    embedded: bool
    urls: dict[str, str] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    """Service name → why it has no database or process."""
    notes: list[str] = field(default_factory=list)
    shared: dict[str, Any] = field(default_factory=dict)

    def figure(
        self,
        key: str,
        value: float | None,
        absolute: str = "",
        *,
        note: str = "",
        data: dict[str, Any] | None = None,
        label: str | None = None,
    ) -> Figure:
        spec = CATALOGUE[key]
        return self.results.add(
            Figure(
                key,
                spec.section,
                label or spec.label,
                value,
                spec.unit,
                spec.op,
                spec.threshold,
                absolute,
                note,
                None,
                data or {},
            )
        )

    def missing(self, key: str, reason: str, *, label: str | None = None) -> Figure:
        spec = CATALOGUE[key]
        return self.results.missing(
            key,
            spec.section,
            label or spec.label,
            reason,
            op=spec.op,
            threshold=spec.threshold,
            unit=spec.unit,
        )

    def proc_base(self, name: str) -> str:
        proc = self.fleet.procs.get(name)
        if proc is None or not proc.alive():
            raise StepFailed(self.unavailable.get(name) or f"{name} is not running")
        return proc.base


def cpu_text(mem: dict[str, float], requests: int, who: str) -> str:
    """A process's CPU cost per request during a load: separates "busy computing" from "waiting on something"."""
    if not requests or not mem.get("wall_s"):
        return ""
    return (
        f"{who} CPU {mem['cpu_s'] / requests * 1000:.2f} ms per request "
        f"({mem['cpu_s'] / mem['wall_s']:.0%} of a core)"
    )


def oneline(exc: BaseException) -> str:
    """An exception as one short line: its type and the first line of its message (SQLAlchemy appends the SQL
    and a link on later lines)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:300]


def token(role: str, sub: str = "bench", **claims: Any) -> str:
    return mint_token(SECRET, sub=sub, role=role, ttl_s=4 * 3600, **claims)


def bearer(role: str, sub: str = "bench", **claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, sub, **claims)}"}


def idem() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def describe(resp: httpx.Response) -> str:
    """A one-line account of an unexpected answer: status and the problem's code and detail."""
    try:
        body = resp.json()
    except ValueError:
        return f"{resp.status_code} {resp.text[:160]!r}"
    if isinstance(body, dict):
        parts = [str(body.get(k)) for k in ("code", "detail") if body.get(k)]
        errors = body.get("errors") or body.get("detail")
        if isinstance(errors, list) and errors:
            parts.append(str(errors[0])[:160])
        return f"{resp.status_code} {' — '.join(parts)[:300]}"
    return f"{resp.status_code} {str(body)[:160]}"


def route_missing(resp: httpx.Response) -> bool:
    """Whether a 404/405 means "no such route" (the framework's answer) rather than a domain "not found"."""
    try:
        body = resp.json()
    except ValueError:
        return True
    if not isinstance(body, dict):
        return True
    return body.get("detail") in ("Not Found", "Method Not Allowed") or (
        body.get("code") in ("not_found", "method_not_allowed")
        and body.get("detail") in ("资源不存在", "不支持该请求方法")
    )


def expect(resp: httpx.Response, *statuses: int, what: str = "") -> Any:
    """The JSON body when the status is one of ``statuses``; otherwise StepFailed naming the call."""
    if resp.status_code not in statuses:
        route = what or f"{resp.request.method} {resp.request.url.path}"
        if resp.status_code in (404, 405) and route_missing(resp):
            raise StepFailed(f"{route} does not exist yet ({resp.status_code})")
        raise StepFailed(f"{route} → {describe(resp)}")
    if not resp.content:
        return None
    try:
        return resp.json()
    except ValueError:
        return resp.content
