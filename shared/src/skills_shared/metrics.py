"""Operational and business metrics every service shares (issue 19, item 2).

Two kinds of figures live here:

- **Counters at the point of change.** A service counts a certificate issued, a claim moved, a voucher redeemed
  where the change is made (``CERTIFICATES.labels("issued").inc()``), after its transaction committed, so a
  rolled-back change is never counted. They are per process; Prometheus sums the replicas.
- **Gauges read from the database at scrape time.** The outbox backlog, the idempotency store and whatever a
  service registers with `add_scrape_query` are one bounded query each, run by `refresh` just before
  ``/metrics`` renders. A scrape never waits on the database for long: the whole refresh has a deadline
  (``SCRAPE_DEADLINE_S``) and a ``statement_timeout``; when it is missed the gauges keep their last values and
  ``skills_metrics_refresh_failures_total`` counts the miss, so a sick database shows as stale figures plus a
  counter, never as a hanging scrape.

Label values are bounded: destinations are the configured services, districts are ``district_code`` (a closed
list of a few dozen codes), states and policies are the state machines' and policy catalogue's own codes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter, Gauge
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Session

from skills_shared.db.lean import LeanTx
from skills_shared.logging import get_logger

log = get_logger(__name__)

SCRAPE_DEADLINE_S = 2.0
"""The longest a scrape waits for its database figures (Prometheus' default scrape timeout is 10 s)."""

# ------------------------------------------------------------------------------------------------ scrape-time
OUTBOX_PENDING = Gauge(
    "skills_outbox_pending",
    "Outbox messages not yet acknowledged, per destination",
    ["service", "destination"],
)
OUTBOX_OLDEST_AGE = Gauge(
    "skills_outbox_oldest_age_seconds",
    "Age of the oldest unacknowledged outbox message, per destination (0 when none waits)",
    ["service", "destination"],
)
IDEMPOTENCY_ROWS = Gauge("skills_idempotency_rows", "Rows in the idempotency-key store", ["service"])
REFRESH_FAILURES = Counter(
    "skills_metrics_refresh_failures_total",
    "Scrapes whose database figures could not be read in time (the gauges kept their last values)",
    ["service"],
)

READY = Gauge(
    "skills_ready",
    "1 when the last /readyz answered ready, 0 when it refused (the alert counts the flips)",
    ["service"],
)

# ------------------------------------------------------------------------------------------------ audit chain
AUDIT_CHAIN_OK = Gauge(
    "skills_audit_chain_ok",
    "1 when the last audit-chain verification found the chain intact, 0 when broken",
    ["service"],
)
AUDIT_CHAIN_VERIFIED_AT = Gauge(
    "skills_audit_chain_verified_timestamp_seconds",
    "When the audit chain was last verified (Unix time)",
    ["service"],
)

# ------------------------------------------------------------------------------------------------ business
CERTIFICATES = Counter(
    "skills_certificates_total", "Certificates issued or revoked (certificate-registry)", ["event"]
)
CLAIM_TRANSITIONS = Counter(
    "skills_claim_transitions_total",
    "Subsidy claims entering a state, per policy (subsidy-claims)",
    ["state", "policy"],
)
CLAIM_AMOUNT_FEN = Counter(
    "skills_claim_amount_fen_total",
    "Subsidy amounts approved or paid, in fen (subsidy-claims)",
    ["event", "policy"],
)
VOUCHERS = Counter(
    "skills_vouchers_total", "Vouchers claimed or redeemed, per district (voucher)", ["event", "district"]
)
CLAIMS_OVERDUE = Gauge(
    "skills_claims_overdue",
    "Claims awaiting a decision past their review deadline (CQ-4: 10 working days), per policy",
    ["policy"],
)
RATE_LIMITED = Counter(
    "gateway_rate_limited_total", "Requests refused with 429 by the gateway, per budget", ["budget"]
)

ScrapeQuery = Callable[[AsyncConnection], Awaitable[None]]


@dataclass
class ScrapeQueries:
    """The scrape-time queries of one app: the shared ones plus those the service registers."""

    service: str
    extra: list[ScrapeQuery] = field(default_factory=list)


def add_scrape_query(app: Any, query: ScrapeQuery) -> None:
    """Register a service's own scrape-time figure (run on the primary, inside the scrape's deadline)."""
    queries: ScrapeQueries | None = getattr(app.state, "scrape_queries", None)
    if queries is None:
        queries = ScrapeQueries(service=app.state.settings.service_name)
        app.state.scrape_queries = queries
    queries.extra.append(query)


_OUTBOX_SQL = text(
    """
    SELECT target, count(*) AS pending, EXTRACT(EPOCH FROM (now() - min(created_at))) AS oldest
      FROM outbox WHERE delivered_at IS NULL GROUP BY target
    """
)
_IDEMPOTENCY_SQL = text("SELECT count(*) FROM idempotency_keys")


async def _shared_figures(conn: AsyncConnection, service: str) -> None:
    rows = (await conn.execute(_OUTBOX_SQL)).all()
    waiting = {row.target: row for row in rows}
    seen = {labels[1] for labels in _label_sets(OUTBOX_PENDING) if labels[0] == service}
    for destination in seen | set(waiting):
        row = waiting.get(destination)
        OUTBOX_PENDING.labels(service, destination).set(row.pending if row else 0)
        OUTBOX_OLDEST_AGE.labels(service, destination).set(float(row.oldest or 0) if row else 0)
    IDEMPOTENCY_ROWS.labels(service).set((await conn.execute(_IDEMPOTENCY_SQL)).scalar_one())


def _label_sets(metric: Gauge) -> list[tuple[str, ...]]:
    """Label values already exported, so a destination whose backlog drained reads 0 instead of vanishing."""
    return [tuple(labels) for labels in metric._metrics]


async def refresh(app: Any) -> None:
    """Read the scrape-time figures of ``app`` from its database, within ``SCRAPE_DEADLINE_S``."""
    db = getattr(app.state, "db", None)
    if db is None:
        return
    service = app.state.settings.service_name
    queries: ScrapeQueries | None = getattr(app.state, "scrape_queries", None)

    async def read() -> None:
        async with db.engine.connect() as conn:
            await conn.execute(text(f"SET LOCAL statement_timeout = {int(SCRAPE_DEADLINE_S * 1000)}"))
            await _shared_figures(conn, service)
            for query in queries.extra if queries else ():
                await query(conn)
            await conn.rollback()

    try:
        await asyncio.wait_for(read(), timeout=SCRAPE_DEADLINE_S)
    except Exception as exc:  # a scrape must answer whatever the database does
        REFRESH_FAILURES.labels(service).inc()
        log.warning("metrics_refresh_failed", error=type(exc).__name__)


_PENDING = "skills_metrics_pending"


def count_on_commit(session: AsyncSession | LeanTx, child: Any, amount: float = 1.0) -> None:
    """Increment a labelled counter (``CERTIFICATES.labels("issued")``) once ``session`` commits.

    Counting at the point of change but only after the commit means a refused or rolled-back change is never
    counted, and an idempotent replay (which does not run the change again) is not counted twice.
    """
    info = session.info if isinstance(session, LeanTx) else session.sync_session.info
    info.setdefault(_PENDING, []).append((child, amount))


@event.listens_for(Session, "after_commit")
def _apply_on_commit(session: Session) -> None:
    for child, amount in session.info.pop(_PENDING, ()):
        child.inc(amount)


@event.listens_for(Session, "after_rollback")
def _drop_on_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def record_chain_verification(service: str, ok: bool) -> None:
    """Export the result of an audit-chain verification (the endpoint and the scheduled check call this)."""
    AUDIT_CHAIN_OK.labels(service).set(1 if ok else 0)
    AUDIT_CHAIN_VERIFIED_AT.labels(service).set(datetime.now(UTC).timestamp())


__all__ = [
    "AUDIT_CHAIN_OK",
    "CERTIFICATES",
    "CLAIMS_OVERDUE",
    "CLAIM_AMOUNT_FEN",
    "CLAIM_TRANSITIONS",
    "IDEMPOTENCY_ROWS",
    "OUTBOX_OLDEST_AGE",
    "OUTBOX_PENDING",
    "RATE_LIMITED",
    "READY",
    "VOUCHERS",
    "add_scrape_query",
    "count_on_commit",
    "record_chain_verification",
    "refresh",
]
