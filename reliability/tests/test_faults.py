"""Faults on real processes: the five services as uvicorn processes (`skills run`'s own start-up code) on a
PostgreSQL instance of this test alone (embedded pgserver in a temporary folder), so stopping the database or
killing a service disturbs nobody else's tests.

After each fault: every acknowledged write is in the database, nothing is half-made, the outbox delivers what
was pending, and every service reports ready again by itself (no restart of the survivors).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from rel_support import bearer, cq_draft, fetchval, scaled

from skills_shared.certnumber import build
from skills_shared.clock import SANDBOX_FILE_ENV, SandboxClock, move_to, reset, today_of
from skills_shared.testing import apply_synthetic_calendar
from skills_shared.validators import make_resident_id
from skills_shared.workdays import today_shanghai
from skills_tools import run
from skills_tools.services import SERVICES, ServiceSpec
from voucher.vouchers.rules import open_campaign_year

OFFSET = 250
"""Ports 8250–8254: clear of a developer's `make run` and of the `skills run` test (offset 150)."""

SPECS = {s.name: s for s in SERVICES}
WAIT_S = 90
"""Upper bound of any wait for recovery: a liveness bound so a broken recovery fails instead of hanging."""


@dataclass
class RealSuite:
    """The running processes, their databases, and how to restart one."""

    server: Any
    urls: dict[str, str]
    procs: dict[str, subprocess.Popen[bytes]]
    logs: Path
    sandbox: Path
    """The suite's sandbox clock file: a test that needs a period to pass moves it, and resets it after."""

    def base(self, name: str) -> str:
        return f"http://127.0.0.1:{SPECS[name].port + OFFSET}"

    def restart(self, name: str) -> None:
        spec: ServiceSpec = SPECS[name]
        self.procs[name] = run.start(spec, self.urls[name], "127.0.0.1", self.logs)

    def kill9(self, name: str) -> None:
        proc = self.procs[name]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def wait_ready(self, name: str) -> None:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base(name)}/readyz", timeout=2).status_code == 200:
                    return
            time.sleep(0.3)
        raise AssertionError(f"{name} never became ready again; see {self.logs}/{name}.log")


@pytest.fixture(scope="module")
def real() -> Iterator[RealSuite]:
    from pgserver.postgres_server import get_server

    saved = {k: os.environ.get(k) for k in ("SKILLS_PORT_OFFSET", "SKILLS_DATABASE_PREFIX", SANDBOX_FILE_ENV)}
    os.environ["SKILLS_PORT_OFFSET"] = str(OFFSET)
    os.environ.pop("SKILLS_DATABASE_PREFIX", None)
    with tempfile.TemporaryDirectory(prefix="skills-faults-") as tmp:
        sandbox = Path(tmp) / "sandbox-clock.json"
        os.environ[SANDBOX_FILE_ENV] = str(sandbox)
        server = get_server(Path(tmp) / "pg", cleanup_mode="stop")
        logs = Path(tmp) / "logs"
        logs.mkdir()
        procs: dict[str, subprocess.Popen[bytes]] = {}
        shared_name = f"rel_faults_{uuid.uuid4().hex[:6]}_skills_subsidy"
        # Periods of N working days from today reach next year in December, before the library covers it.
        restore_calendar = apply_synthetic_calendar(today_shanghai(), Path(tmp) / "synthetic-calendar.json")
        try:
            urls = _prepare(server.get_uri(), shared_name)
            for spec in SERVICES:
                procs[spec.name] = run.start(spec, urls[spec.name], "127.0.0.1", logs)
            run.wait_healthy(procs, "127.0.0.1", logs, timeout_s=WAIT_S)
            yield RealSuite(server, urls, procs, logs, sandbox)
        finally:
            for proc in procs.values():  # SIGCONT first: a stopped process cannot act on SIGTERM
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGCONT)
            run.stop_all(procs)
            restore_calendar()
            server.cleanup()
            asyncio.run(_drop(shared_name))
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


EMBEDDED_FAILURES: dict[str, str] = {}
"""Services whose migrations failed on the embedded PostgreSQL (filled by ``_prepare``)."""


def _prepare(own_server: str, shared_name: str) -> dict[str, str]:
    """Create and migrate each service database on our own embedded server, as `skills run` does.

    A service whose migrations cannot run there (e.g. an extension pgserver does not ship) is recorded in
    ``EMBEDDED_FAILURES`` — its own test fails on it — and gets a database on the tests' shared server instead,
    so the fault tests still exercise it.
    """
    from skills_shared.db.migrations import upgrade
    from skills_shared.testing import admin_url
    from skills_tools.database import ensure_databases

    urls = {}
    for spec in SERVICES:
        url = ensure_databases(own_server, [spec.database])[spec.database]
        try:
            upgrade(spec.migrations_dir, url)
        except Exception as exc:
            EMBEDDED_FAILURES[spec.name] = str(exc).splitlines()[0][:200]
            url = ensure_databases(admin_url(), [shared_name])[shared_name]
            upgrade(spec.migrations_dir, url)
        run.load_reference_data(spec, url)
        urls[spec.name] = url
    return urls


async def _drop(name: str) -> None:
    import asyncpg

    from skills_shared.db import to_asyncpg_dsn
    from skills_shared.testing import admin_url, with_database

    conn = await asyncpg.connect(to_asyncpg_dsn(with_database(admin_url(), "postgres")))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def test_every_service_migrates_on_the_embedded_postgres(real: RealSuite) -> None:
    """`make run` and `make test` use the embedded pgserver when no server is named: every migration must run there."""
    assert not EMBEDDED_FAILURES, EMBEDDED_FAILURES


def _pg_ctl(server: Any, *args: str) -> None:
    from pgserver._commands import pg_ctl

    pg_ctl(list(args), pgdata=server.pgdata, user=server.system_user, timeout=320)


def _start_postgres(server: Any) -> None:
    """Start the stopped server as pgserver does (same socket), allowing crash recovery more than pgserver's 10 s."""
    from urllib.parse import parse_qs, urlsplit

    socket_dir = parse_qs(urlsplit(server.get_uri()).query)["host"][0]
    _pg_ctl(
        server, "-w", "-t", "300", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(server.log), "start"
    )


async def _put_issuer(client: httpx.AsyncClient, base: str, code: str) -> httpx.Response:
    return await client.put(
        f"{base}/v1/issuers/{code}",
        json={
            "name": f"重庆市某职业技能评价中心{code[-4:]}",
            "status": "active",
            "scope": [
                {
                    "occupation_code": "4-01-01-01",
                    "occupation_name": "电工",
                    "work_types": [],
                    "levels": [3, 4, 5],
                }
            ],
            "level_scope": "district",
            "valid_from": "2025-01-01",
            "valid_to": "2027-12-31",
        },
        headers={**bearer("service", "org-filing"), "Idempotency-Key": f"issuer-{code}"},
    )


def test_kill9_mid_workflow_loses_no_acknowledged_write(real: RealSuite) -> None:
    """Issuer writes stream into the registry; it is killed with SIGKILL part-way and started again."""
    base = real.base("certificate-registry")
    codes = [f"S00005007{1000 + i:04d}" for i in range(scaled(40))]
    acknowledged: list[str] = []

    async def stream() -> None:
        async with httpx.AsyncClient(timeout=5) as client:

            async def one(code: str) -> None:
                with contextlib.suppress(httpx.HTTPError):
                    r = await _put_issuer(client, base, code)
                    if r.status_code in (200, 201):
                        acknowledged.append(code)

            half = len(codes) // 2
            await asyncio.gather(*(one(c) for c in codes[:half]))
            killer = asyncio.get_running_loop().run_in_executor(None, real.kill9, "certificate-registry")
            await asyncio.gather(*(one(c) for c in codes[half:]), killer)

    asyncio.run(stream())
    real.restart("certificate-registry")
    real.wait_ready("certificate-registry")
    stored = set(
        asyncio.run(
            fetchval(real.urls["certificate-registry"], "SELECT coalesce(array_agg(code), '{}') FROM issuers")
        )
    )
    missing = set(acknowledged) - stored
    assert acknowledged and not missing, f"acknowledged but lost: {sorted(missing)}"

    # a retry of every write, with the same keys, completes the rest without duplicating any
    async def retry() -> list[int]:
        async with httpx.AsyncClient(timeout=10) as client:
            return [(await _put_issuer(client, base, c)).status_code for c in codes]

    assert set(asyncio.run(retry())) <= {200, 201}
    count = asyncio.run(
        fetchval(
            real.urls["certificate-registry"],
            "SELECT count(*) FROM issuers WHERE code = ANY($1::text[])",
            codes,
        )
    )
    assert count == len(codes)


def test_postgres_restart_under_load_recovers_by_itself(real: RealSuite) -> None:
    """Writes run while PostgreSQL stops (immediate) and starts again; services come back ready unaided."""
    base = real.base("certificate-registry")
    codes = [f"S00005007{3000 + i:04d}" for i in range(scaled(60))]
    acknowledged: list[str] = []
    statuses: list[int] = []

    async def load() -> None:
        async with httpx.AsyncClient(timeout=10) as client:
            for i, code in enumerate(codes):
                if i == len(codes) // 3:
                    await asyncio.get_running_loop().run_in_executor(
                        None, _pg_ctl, real.server, "-w", "stop", "-m", "immediate"
                    )
                if i == 2 * len(codes) // 3:
                    await asyncio.get_running_loop().run_in_executor(
                        None, real.server.ensure_postgres_running
                    )
                with contextlib.suppress(httpx.HTTPError):
                    r = await _put_issuer(client, base, code)
                    statuses.append(r.status_code)
                    if r.status_code in (200, 201):
                        acknowledged.append(code)
                    else:
                        assert r.status_code in (500, 503), r.text
                        assert r.headers.get("content-type", "").startswith("application/problem+json"), (
                            r.text
                        )

    asyncio.run(load())
    for name in SPECS:
        real.wait_ready(name)
    stored = set(
        asyncio.run(
            fetchval(real.urls["certificate-registry"], "SELECT coalesce(array_agg(code), '{}') FROM issuers")
        )
    )
    assert set(acknowledged) <= stored, f"acknowledged but lost: {sorted(set(acknowledged) - stored)}"
    assert 503 in statuses or 500 in statuses, "the database outage was never seen: the test did not test"
    # a database error must be a 503 problem, never a 500 (README: 'a 500 is a bug')
    assert 500 not in statuses, f"database outage answered with 500: {statuses}"


def test_slow_registry_gives_503_and_no_half_made_claim(real: RealSuite) -> None:
    """SIGSTOP the registry: subsidy-claims' certificate check times out → 503 problem naming the registry, the
    claim stays a draft; the gateway's look-up also answers 503. After SIGCONT both work again, unaided."""
    holder = make_resident_id("500103", date(1990, 3, 7), 61)
    number = build("S", "0000", "50", "05", 1, 2026, 4, 1)
    sub = real.base("subsidy-claims")
    body = cq_draft(holder, number)
    citizen = bearer("citizen", holder)
    created = httpx.post(
        f"{sub}/v1/claims", json=body, headers={**citizen, "Idempotency-Key": uuid.uuid4().hex}, timeout=10
    )
    assert created.status_code == 201, created.text
    claim_id = created.json()["id"]
    registry = real.procs["certificate-registry"]
    os.killpg(registry.pid, signal.SIGSTOP)
    try:
        submitted = httpx.post(
            f"{sub}/v1/claims/{claim_id}/submit",
            headers={**citizen, "Idempotency-Key": uuid.uuid4().hex},
            timeout=60,
        )
        assert submitted.status_code == 503, submitted.text
        assert submitted.headers["content-type"].startswith("application/problem+json")
        assert "Retry-After" in submitted.headers
        status = asyncio.run(
            fetchval(
                real.urls["subsidy-claims"], "SELECT status FROM claims WHERE id = $1", uuid.UUID(claim_id)
            )
        )
        assert status == "draft", f"half-made: claim is {status} after a failed certificate check"
        looked = httpx.get(
            f"{real.base('gateway')}/api/v1/certificates/{number}", params={"name": "张三"}, timeout=60
        )
        assert looked.status_code == 503, looked.text
    finally:
        os.killpg(registry.pid, signal.SIGCONT)
    real.wait_ready("certificate-registry")
    deadline = time.monotonic() + WAIT_S
    while True:  # the gateway's circuit breaker re-closes on its own after its reset period
        looked = httpx.get(
            f"{real.base('gateway')}/api/v1/certificates/{number}", params={"name": "张三"}, timeout=10
        )
        if looked.status_code == 404 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert looked.status_code == 404, looked.text


def test_outbox_delivers_issuer_sync_after_registry_outage(real: RealSuite) -> None:
    """A body filed while the registry is dead reaches the registry's issuer list once it is back."""
    import importlib.util

    from skills_shared.testing import REPO_ROOT

    spec = importlib.util.spec_from_file_location(
        "rel_of_factories_real", Path(REPO_ROOT) / "services" / "org-filing" / "tests" / "of_factories.py"
    )
    assert spec and spec.loader
    f = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(f)

    real.kill9("certificate-registry")
    org = real.base("org-filing")

    async def file_one() -> str:
        """Apply, select and publish today, let the publicity pass on the suite's sandbox clock, then file (OF-3:
        a publicity already over when recorded is refused, so time has to pass for real)."""
        code = f.credit_code()
        today = today_of(SandboxClock(real.sandbox))
        async with httpx.AsyncClient(base_url=org, timeout=30) as client:
            r = await client.post("/v1/applications", json=f.full_form(code), headers=f.applicant(code))
            assert r.status_code == 201, r.text
            app_id = r.json()["id"]
            r = await client.post(f"/v1/applications/{app_id}/submit", headers=f.applicant(code))
            assert r.status_code == 200, r.text
            officer = f.city()
            r = await client.post(
                f"/v1/applications/{app_id}/evaluation",
                json={
                    "selected": True,
                    "sound_finances": True,
                    "good_credit": True,
                    "no_violation_record": True,
                    "opinion": "符合条件",
                },
                headers=officer,
            )
            assert r.status_code == 200, r.text
            r = await client.post(
                f"/v1/applications/{app_id}/publication",
                json={"publicity_from": today.isoformat(), "publicity_to": today.isoformat()},
                headers=officer,
            )
            assert r.status_code == 200, r.text
            filing_day = today + timedelta(days=1)
            move_to(real.sandbox, filing_day)
            await asyncio.sleep(1.2)  # each process re-reads the sandbox file at most once a second
            r = await client.post(
                f"/v1/applications/{app_id}/filing",
                json={"valid_from": filing_day.isoformat()},
                headers={**officer, "Idempotency-Key": uuid.uuid4().hex},
            )
            assert r.status_code == 201, r.text
            return str(r.json()["body_code"])

    try:
        body_code = asyncio.run(file_one())
    finally:
        reset(real.sandbox)  # back to real time for the tests that follow
    pending = asyncio.run(
        fetchval(real.urls["org-filing"], "SELECT count(*) FROM outbox WHERE delivered_at IS NULL")
    )
    assert pending >= 1, "the filing left nothing in the outbox for the registry"
    real.restart("certificate-registry")
    real.wait_ready("certificate-registry")
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        r = httpx.get(f"{real.base('certificate-registry')}/v1/issuers/{body_code}", timeout=5)
        if r.status_code == 200:
            break
        time.sleep(0.5)
    assert r.status_code == 200, f"issuer {body_code} never reached the registry: {r.text}"
    assert (
        asyncio.run(
            fetchval(real.urls["org-filing"], "SELECT count(*) FROM outbox WHERE delivered_at IS NULL")
        )
        == 0
    )


def test_kill9_of_voucher_mid_claims_leaves_no_half_claim(real: RealSuite) -> None:
    """Citizens claim their vouchers while the voucher service is killed with SIGKILL; after a restart every
    acknowledged claim is whole, no holder has part of a claim, and claiming again completes the rest once."""
    from voucher_testdata import Scenario, holder_id

    base = real.base("voucher")
    year = open_campaign_year(today_shanghai())
    holders = [holder_id(500_000 + i) for i in range(scaled(30))]
    acknowledged: list[str] = []

    async def setup() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            s = Scenario(client)
            await s.price_all_types()
            await s.issue(await s.campaign(year), holders)

    async def claims() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:

            async def one(holder: str) -> None:
                with contextlib.suppress(httpx.HTTPError):
                    r = await client.post("/v1/me/vouchers/claims", json={}, headers=keyed_citizen(holder))
                    if r.status_code == 201:
                        acknowledged.append(holder)

            half = len(holders) // 3
            await asyncio.gather(*(one(h) for h in holders[:half]))
            killer = asyncio.get_running_loop().run_in_executor(None, real.kill9, "voucher")
            await asyncio.gather(*(one(h) for h in holders[half:]), killer)

    asyncio.run(setup())
    types = asyncio.run(fetchval(real.urls["voucher"], "SELECT count(*) FROM voucher_types WHERE active"))
    asyncio.run(claims())
    real.restart("voucher")
    real.wait_ready("voucher")

    async def per_holder() -> dict[str, int]:
        import asyncpg

        from skills_shared.db import to_asyncpg_dsn

        conn = await asyncpg.connect(to_asyncpg_dsn(real.urls["voucher"]))
        try:
            rows = await conn.fetch(
                "SELECT holder_id, count(*) AS n FROM vouchers WHERE holder_id = ANY($1::text[]) "
                "AND year = $2 GROUP BY holder_id",
                holders,
                year,
            )
            return {r["holder_id"]: int(r["n"]) for r in rows}
        finally:
            await conn.close()

    counts = asyncio.run(per_holder())
    assert acknowledged, "no claim was acknowledged before the kill: the test did not test"
    assert all(counts.get(h) == types for h in acknowledged), "an acknowledged claim is missing vouchers"
    assert all(n in (0, types) for n in counts.values()), f"half-made claims: {counts}"

    async def claim_again() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            for h in holders:
                r = await client.post("/v1/me/vouchers/claims", json={}, headers=keyed_citizen(h))
                assert r.status_code in (201, 409), r.text

    asyncio.run(claim_again())
    assert set(asyncio.run(per_holder()).values()) == {types}


def keyed_citizen(holder: str) -> dict[str, str]:
    return {**bearer("citizen", holder), "Idempotency-Key": uuid.uuid4().hex}


def test_kill9_of_gateway_mid_workflow_leaves_no_half_claim(real: RealSuite) -> None:
    """Voucher claims composed by the gateway; the gateway is killed with SIGKILL part-way and started again.
    Every claim the gateway acknowledged is whole in the voucher database, none is half-made, and claiming again
    through the restarted gateway with the same keys completes the rest once."""
    from voucher_testdata import Scenario, holder_id

    year = open_campaign_year(today_shanghai())
    holders = [holder_id(600_000 + i) for i in range(scaled(20))]
    keys = {h: uuid.uuid4().hex for h in holders}
    acknowledged: list[str] = []
    gateway = real.base("gateway")

    async def setup() -> None:
        async with httpx.AsyncClient(base_url=real.base("voucher"), timeout=30) as client:
            s = Scenario(client)
            await s.price_all_types()
            existing = await fetchval(
                real.urls["voucher"], "SELECT id FROM campaigns WHERE year = $1 LIMIT 1", year
            )
            campaign = existing if existing is not None else await s.campaign(year)
            await s.issue(campaign, holders)

    def headers(h: str) -> dict[str, str]:
        return {**bearer("citizen", h), "Idempotency-Key": keys[h]}

    async def claims() -> None:
        async with httpx.AsyncClient(base_url=gateway, timeout=10) as client:

            async def one(h: str) -> None:
                with contextlib.suppress(httpx.HTTPError):
                    r = await client.post("/api/v1/vouchers/claims", json={}, headers=headers(h))
                    if r.status_code == 201:
                        acknowledged.append(h)

            third = len(holders) // 3
            await asyncio.gather(*(one(h) for h in holders[:third]))
            killer = asyncio.get_running_loop().run_in_executor(None, real.kill9, "gateway")
            await asyncio.gather(*(one(h) for h in holders[third:]), killer)

    asyncio.run(setup())
    types = asyncio.run(fetchval(real.urls["voucher"], "SELECT count(*) FROM voucher_types WHERE active"))
    asyncio.run(claims())
    real.restart("gateway")
    real.wait_ready("gateway")

    def counts() -> dict[str, int]:
        rows = asyncio.run(
            fetchval(
                real.urls["voucher"],
                "SELECT coalesce(json_object_agg(holder_id, n), '{}')::text FROM (SELECT holder_id, count(*) n "
                "FROM vouchers WHERE holder_id = ANY($1::text[]) AND year = $2 GROUP BY holder_id) t",
                holders,
                year,
            )
        )
        import json

        return {k: int(v) for k, v in json.loads(rows).items()}

    before = counts()
    assert acknowledged, "no claim was acknowledged before the kill: the test did not test"
    assert all(before.get(h) == types for h in acknowledged), "an acknowledged claim is missing vouchers"
    assert all(n in (0, types) for n in before.values()), f"half-made claims: {before}"

    async def claim_again() -> None:
        async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
            for h in holders:
                r = await client.post("/api/v1/vouchers/claims", json={}, headers=headers(h))
                assert r.status_code in (201, 409), r.text

    asyncio.run(claim_again())
    assert set(counts().values()) == {types}
