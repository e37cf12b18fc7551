"""The scrape-time count of claims past their review deadline (CQ-4: 10 working days), per policy.

Read at each scrape within the shared deadline (`skills_shared.metrics.refresh`) with the app's business date,
so the alert on overdue claims sees the same "overdue" as the officer's overdue queue (`rules.is_overdue`).
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from skills_shared.clock import process_clock, today_of
from skills_shared.metrics import CLAIMS_OVERDUE, add_scrape_query
from subsidy_claims.claims.rules import AWAITING_DECISION

_OVERDUE_BY_POLICY = text(
    "SELECT policy, count(*) FROM claims WHERE status = ANY(:awaiting) AND review_due_on < :today GROUP BY policy"
)
POLICIES = ("cq-eval", "sh-upgrade")


def install_overdue_gauge(app: FastAPI) -> None:
    """Register the overdue count with the app's scrape-time figures."""

    async def overdue(conn: AsyncConnection) -> None:
        clock = getattr(app.state, "clock", None) or process_clock()
        rows: dict[str, int] = dict(
            (
                await conn.execute(
                    _OVERDUE_BY_POLICY,
                    {"awaiting": sorted(s.value for s in AWAITING_DECISION), "today": today_of(clock)},
                )
            ).all()
        )
        for policy in {*POLICIES, *rows}:
            CLAIMS_OVERDUE.labels(policy).set(rows.get(policy, 0))

    add_scrape_query(app, overdue)
