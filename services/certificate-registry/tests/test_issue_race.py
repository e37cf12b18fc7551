"""CR-1 under real concurrency: 64 issue transactions for one (body, year, level) on separate connections in two
worker processes, released together — no duplicate, no gap, every number accounted for. And 999999 never wraps."""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from typing import Any

import httpx
from registry_testkit import APPROVAL_DAY, DISTRICT_BODY, PUBLICITY_START, YEAR, Registry, candidate
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from certificate_registry.certificates.rules import serials_are_gapless
from skills_shared.db import to_async_url
from skills_shared.testing import auth_headers

CONCURRENT = 64
WORKERS = 2

WORKER = r"""
import asyncio, json, sys, uuid
from datetime import date
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from certificate_registry.certificates.service import CertificateService
from skills_shared.auth import Principal, Role

async def main():
    url, day, body = sys.argv[1], date.fromisoformat(sys.argv[2]), sys.argv[3]
    batch_ids = [uuid.UUID(x) for x in sys.argv[4:]]
    engine = create_async_engine(url, pool_size=len(batch_ids), max_overflow=0)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    principal = Principal(sub="race", role=Role.ORG_STAFF, body=body)
    sessions = [maker() for _ in batch_ids]
    for session in sessions:  # each transaction holds its own connection before the gate opens
        for attempt in range(600):  # a shared development server may be near max_connections: wait for room
            try:
                await session.connection()
                break
            except Exception as exc:
                if "too many clients" not in str(exc) or attempt == 599:
                    raise
                await session.rollback()
                await asyncio.sleep(0.1)
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)

    async def one(session, batch_id):
        try:
            out = await CertificateService(session).issue(principal, batch_id, day)
            await session.commit()
            return [out.first_number, out.last_number, out.issued_count]
        except Exception as exc:
            await session.rollback()
            return ["error", repr(exc)]
        finally:
            await session.close()

    results = await asyncio.gather(*(one(s, b) for s, b in zip(sessions, batch_ids)))
    print(json.dumps(results), flush=True)
    await engine.dispose()

asyncio.run(main())
"""


async def _approved_batches(registry: Registry, count: int) -> list[str]:
    """`count` approved batches of one body and level, with 1–3 passing candidates each (uneven on purpose).

    Set up eight at a time, within the app's connection pool: the concurrency under test is the issuing."""
    client = registry.client
    gate = asyncio.Semaphore(8)

    async def prepare(n: int) -> str:
        async with gate:
            batch_id = await registry.create_batch()
            uploaded = await registry.upload(batch_id, [candidate(1000 * n + k) for k in range(1 + n % 3)])
            assert uploaded.status_code == 200, uploaded.text
            return batch_id

    ids = list(await asyncio.gather(*(prepare(n) for n in range(count))))
    registry.on(PUBLICITY_START)

    async def publicise(batch_id: str) -> None:
        async with gate:
            started = await client.post(f"/v1/batches/{batch_id}/publicity", headers=registry.staff())
            assert started.status_code == 200, started.text

    await asyncio.gather(*(publicise(b) for b in ids))
    registry.on(APPROVAL_DAY)

    async def approve(batch_id: str) -> None:
        async with gate:
            approved = await client.post(f"/v1/batches/{batch_id}/approval", headers=registry.officer())
            assert approved.status_code == 200, approved.text

    await asyncio.gather(*(approve(b) for b in ids))
    return ids


async def _assert_gapless(engine: AsyncEngine, expected_total: int) -> list[int]:
    async with engine.connect() as conn:
        serials = (
            (
                await conn.execute(
                    text("SELECT serial FROM certificates WHERE body_code = :b AND year = :y AND level = 4"),
                    {"b": DISTRICT_BODY, "y": APPROVAL_DAY.year},
                )
            )
            .scalars()
            .all()
        )
        counter = (
            await conn.execute(
                text(
                    "SELECT last_serial FROM serial_counters WHERE body_code = :b AND year = :y AND level = 4"
                ),
                {"b": DISTRICT_BODY, "y": APPROVAL_DAY.year},
            )
        ).scalar_one()
        unissued = (
            await conn.execute(
                text("SELECT count(*) FROM candidates WHERE passed AND certificate_number IS NULL")
            )
        ).scalar_one()
    assert len(serials) == expected_total
    assert serials_are_gapless(serials), sorted(serials)
    assert counter == expected_total
    assert unissued == 0
    return list(serials)


def _check_ranges(results: list[list[Any]], expected_total: int) -> None:
    """Every response's numbers are one contiguous block; the blocks tile 1..N exactly."""
    blocks = []
    for first, last, count in results:
        start, end = int(first[-6:]), int(last[-6:])
        assert end - start + 1 == count
        blocks.append((start, end))
    blocks.sort()
    assert blocks[0][0] == 1 and blocks[-1][1] == expected_total
    for (_, previous_end), (next_start, _) in itertools.pairwise(blocks):
        assert next_start == previous_end + 1


async def test_64_concurrent_issues_in_two_processes(
    registry: Registry, engine: AsyncEngine, database_url: str
) -> None:
    await registry.put_issuer()
    ids = await _approved_batches(registry, CONCURRENT)
    expected_total = sum(1 + n % 3 for n in range(CONCURRENT))
    share = CONCURRENT // WORKERS
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            WORKER,
            to_async_url(database_url),
            APPROVAL_DAY.isoformat(),
            DISTRICT_BODY,
            *ids[i * share : (i + 1) * share],
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for i in range(WORKERS)
    ]
    for worker in workers:
        assert worker.stdout is not None
        line = await asyncio.wait_for(worker.stdout.readline(), 120)
        assert line.strip() == b"ready", (line, await worker.stderr.read() if worker.stderr else b"")
    for worker in workers:  # open the gate for both processes at once
        assert worker.stdin is not None
        worker.stdin.write(b"go\n")
    await asyncio.gather(*(w.stdin.drain() for w in workers if w.stdin))
    results: list[list[Any]] = []
    for worker in workers:
        out, err = await asyncio.wait_for(worker.communicate(), 120)
        assert worker.returncode == 0, err.decode()
        results.extend(json.loads(out.decode().strip().splitlines()[-1]))
    assert all(r[0] != "error" for r in results), results
    assert len(results) == CONCURRENT
    _check_ranges(results, expected_total)
    await _assert_gapless(engine, expected_total)


async def test_64_concurrent_issue_requests_over_http(registry: Registry, engine: AsyncEngine) -> None:
    """The same race through the HTTP stack (idempotency, audit chain, unit of work), twice over."""
    await registry.put_issuer()
    total = 0
    for _round in range(2):
        ids = await _approved_batches(registry, CONCURRENT)
        responses = await asyncio.gather(*(registry.issue(b) for b in ids))
        assert all(r.status_code == 201 for r in responses), [
            r.text for r in responses if r.status_code != 201
        ]
        total += sum(1 + n % 3 for n in range(CONCURRENT))
        results = [
            [r.json()["first_number"], r.json()["last_number"], r.json()["issued_count"]] for r in responses
        ]
        if _round == 0:
            _check_ranges(results, total)
        await _assert_gapless(engine, total)
    chain = await registry.client.get("/v1/audit/verify", headers=auth_headers("inspector"))
    assert chain.json()["ok"] is True


async def test_running_past_999999_is_a_409_never_a_wrap(
    registry: Registry, client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await registry.put_issuer()
    first = await registry.ready_batch([candidate(1)])
    assert (await registry.issue(first)).status_code == 201
    async with engine.begin() as conn:  # the body has used all but one serial this year at this level
        await conn.execute(text("UPDATE serial_counters SET last_serial = 999998"))
    two = await registry.ready_batch([candidate(2), candidate(3)])
    refused = await registry.issue(two)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "serial_exhausted" and refused.json()["rule"] == "CR-1"
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT last_serial FROM serial_counters"))).scalar_one() == 999998
        assert (await conn.execute(text("SELECT count(*) FROM certificates"))).scalar_one() == 1
    one = await registry.ready_batch([candidate(4)])
    last = await registry.issue(one)
    assert last.status_code == 201 and last.json()["first_number"].endswith(f"{YEAR}4999999")
    assert (await registry.issue(two)).status_code == 409
    async with engine.connect() as conn:
        numbers = (
            (await conn.execute(text("SELECT number FROM certificates ORDER BY number"))).scalars().all()
        )
    assert [n[-6:] for n in numbers] == ["000001", "999999"]


async def test_one_batch_issued_concurrently_is_issued_once(registry: Registry, engine: AsyncEngine) -> None:
    """Sixteen concurrent issue requests (distinct keys) for the same batch: one issues, the rest find nothing."""
    await registry.put_issuer()
    for _round in range(2):
        batch_id = await registry.ready_batch([candidate(100 * _round + k) for k in range(3)])
        responses = await asyncio.gather(*(registry.issue(batch_id) for _ in range(16)))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201] + [409] * 15, [r.text for r in responses]
        assert all(r.json()["code"] == "nothing_to_issue" for r in responses if r.status_code == 409)
        await _assert_gapless(engine, 3 * (_round + 1))
