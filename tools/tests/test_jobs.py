"""Scheduled work on real processes and a real database (issue 19, item 4).

- A job process killed with SIGKILL in the middle of its work leaves nothing behind, and the retry completes the
  work exactly once (one lapse run in the audit chain, every voucher lapsed by the same run).
- A run while another holds the job's lock changes nothing.
- The idempotency purge removes expired keys only.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from skills_shared.clock import SANDBOX_FILE_ENV
from skills_shared.testing import fresh_database, truncate_all
from skills_tools.jobs import BY_NAME
from skills_tools.services import SERVICES

VOUCHER = next(s for s in SERVICES if s.name == "voucher")
HOLDERS = [f"50010319900307{n:04d}" for n in range(6)]
WAIT_S = 60
"""How long a wait for a process state may take before the test gives up (never a pass/fail threshold)."""


@pytest.fixture(scope="module")
def voucher_url() -> Iterator[str]:
    with fresh_database("jobs_voucher", VOUCHER.migrations_dir) as url:
        yield url


@pytest.fixture
async def db(voucher_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(voucher_url)
    await truncate_all(engine, keep=("voucher_types",))
    yield engine
    await engine.dispose()


def _job_env(voucher_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != SANDBOX_FILE_ENV}
    env["VOUCHER_DATABASE_URL"] = voucher_url
    env["VOUCHER_ENVIRONMENT"] = "test"
    return env


def _job(name: str) -> list[str]:
    return [sys.executable, "-m", "skills_tools.jobs", name]


async def _start(name: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    """A real job process, as the CronJob's container runs it."""
    return await asyncio.create_subprocess_exec(
        *_job(name), env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )


async def _run(name: str, env: dict[str, str]) -> dict[str, object]:
    """Run a job to its end; its last output line (JSON) is the answer."""
    proc = await _start(name, env)
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    answer: dict[str, object] = json.loads(out.decode().strip().splitlines()[-1])
    return answer


async def _expired_vouchers(db: AsyncEngine) -> list[int]:
    """Vouchers claimed in 2025 whose validity ended on 30 November 2025 (V-4): all due to lapse."""
    async with db.begin() as conn:
        type_code = (
            await conn.execute(text("SELECT code FROM voucher_types ORDER BY code LIMIT 1"))
        ).scalar_one()
        campaign = (
            await conn.execute(
                text(
                    "INSERT INTO campaigns (year, kind, name, valid_until, created_by)"
                    " VALUES (2025, 'annual', '2025年职业培训券', :until, 'test') RETURNING id"
                ),
                {"until": date(2025, 11, 30)},
            )
        ).scalar_one()
        ids = [
            (
                await conn.execute(
                    text(
                        "INSERT INTO vouchers (holder_id, year, type_code, campaign_id, district_code, face_value_fen,"
                        " valid_until, status) VALUES (:h, 2025, :t, :c, '04', 50000, :until, 'claimed') RETURNING id"
                    ),
                    {"h": holder, "t": type_code, "c": campaign, "until": date(2025, 11, 30)},
                )
            ).scalar_one()
            for holder in HOLDERS
        ]
    return ids


async def _wait_for(db: AsyncEngine, sql: str, what: str) -> None:
    for _ in range(int(WAIT_S / 0.05)):
        async with db.connect() as conn:
            if (await conn.execute(text(sql))).scalar_one():
                return
        await asyncio.sleep(0.05)
    pytest.fail(f"gave up waiting: {what}")


_BLOCKED = (
    "SELECT count(*) > 0 FROM pg_stat_activity"
    " WHERE application_name = 'skills-job voucher-lapse' AND wait_event_type = 'Lock'"
)
_GONE = "SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = 'skills-job voucher-lapse'"


async def _one(db: AsyncEngine, sql: str) -> object:
    async with db.connect() as conn:
        return (await conn.execute(text(sql))).scalar_one()


async def test_a_job_killed_mid_way_leaves_nothing_and_its_retry_completes_once(
    db: AsyncEngine, voucher_url: str
) -> None:
    ids = await _expired_vouchers(db)
    env = _job_env(voucher_url)
    async with db.connect() as holder:
        # The last voucher is locked by someone else: the job's UPDATE lapses the others, then waits on this row.
        await holder.execute(text("SELECT id FROM vouchers WHERE id = :i FOR UPDATE"), {"i": ids[-1]})
        job = await _start("voucher-lapse", env)
        try:
            await _wait_for(db, _BLOCKED, "the job to be mid-way, waiting on the locked voucher")
            os.kill(job.pid, signal.SIGKILL)  # kill -9
            assert await job.wait() == -signal.SIGKILL
        finally:
            if job.returncode is None:
                job.kill()
                await job.wait()
        await holder.rollback()
    await _wait_for(db, _GONE, "the killed job's server process to end")
    assert await _one(db, "SELECT string_agg(DISTINCT status, ',') FROM vouchers") == "claimed", (
        "nothing committed"
    )
    assert await _one(db, "SELECT count(*) FROM audit_log WHERE action = 'voucher.lapse_run'") == 0

    assert (await _run("voucher-lapse", env))["lapsed_not_used"] == len(ids), "the retry does the whole work"
    assert (await _run("voucher-lapse", env))["lapsed_not_used"] == 0, "a later run finds nothing left"

    assert await _one(db, "SELECT count(*) FROM vouchers WHERE status = 'lapsed'") == len(ids)
    assert await _one(db, "SELECT count(DISTINCT lapsed_at) FROM vouchers") == 1, "all lapsed by one run"
    lapsing_runs = await _one(
        db,
        "SELECT count(*) FROM audit_log WHERE action = 'voucher.lapse_run' AND (after->>'lapsed_not_used')::int > 0",
    )
    assert lapsing_runs == 1, "the work was done exactly once"


async def test_a_run_while_another_holds_the_lock_changes_nothing(db: AsyncEngine, voucher_url: str) -> None:
    ids = await _expired_vouchers(db)
    key = BY_NAME["voucher-lapse"].lock_key
    async with db.connect() as conn:
        await conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
        answer = await _run("voucher-lapse", _job_env(voucher_url))
        await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
    assert "skipped" in answer
    assert await _one(db, "SELECT count(*) FROM vouchers WHERE status = 'claimed'") == len(ids)


async def test_the_idempotency_purge_removes_expired_keys_only(db: AsyncEngine, voucher_url: str) -> None:
    now = datetime.now(UTC)
    async with db.begin() as conn:
        for key, age in (("old", timedelta(hours=49)), ("fresh", timedelta(hours=47))):
            await conn.execute(
                text(
                    "INSERT INTO idempotency_keys (principal, key, method, path, request_hash, status_code, created_at)"
                    " VALUES ('citizen:x', :k, 'POST', '/v1/x', :h, 201, :at)"
                ),
                {"k": key, "h": b"\0" * 32, "at": now - age},
            )
    assert (await _run("idempotency-purge-voucher", _job_env(voucher_url)))["purged"] == 1
    assert await _one(db, "SELECT string_agg(key, ',') FROM idempotency_keys") == "fresh"


def test_the_lapse_job_and_the_services_own_round_share_one_lock() -> None:
    from voucher.lapse.schedule import ROUND_LOCK

    assert BY_NAME["voucher-lapse"].lock_key == ROUND_LOCK
    assert len({job.lock_key for job in BY_NAME.values()}) == len(BY_NAME), "every other job has its own lock"
