"""The platform on real processes: the five services started exactly as `make run` starts them
(`skills_tools.run.uvicorn_argv`), each on a fresh database of the tests' PostgreSQL server.

- X-Forwarded-For is believed only from ``SKILLS_TRUSTED_PROXIES`` (issue 20, item 2): a loopback client that
  forges 70 addresses still draws from one budget, because uvicorn no longer trusts loopback by default.
- A service killed with SIGKILL under load, ten times over, gives the gateway's callers 503s naming it and
  never a 500 (issue 20, item 3).
- After a whole workflow and the kills, no log line any process wrote holds an 18-digit ID number or a phone
  number, and every line is JSON with the service and, for requests, the request ID (issue 19, item 1).

Runs last in this package's file order of real-process tests; ports 8450–8455 are its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest
from rel_support import FULL_ID, bearer, cq_draft

from skills_shared.certnumber import build
from skills_shared.testing import apply_synthetic_calendar, free_port, fresh_database
from skills_shared.validators import make_resident_id
from skills_shared.workdays import today_shanghai
from skills_tools import run
from skills_tools.services import SERVICES, ServiceSpec

OFFSET = 450
XFF_OFFSET = 455
SPECS = {s.name: s for s in SERVICES}
WAIT_S = 90
PHONE = re.compile(r"(?<![0-9A-Za-z])1[3-9][0-9]{9}(?![0-9A-Za-z])")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])" + FULL_ID.pattern.removeprefix("(?<![0-9])") + r"(?![0-9A-Za-z])")
"""A whole number on its own, not digits inside a hexadecimal request or trace ID."""
HOLDER = make_resident_id("500103", date(1990, 3, 7), 63)
NUMBER = build("S", "0000", "50", "05", 1, 2026, 4, 1)
ROUNDS = 10

GATEWAY_ENV = {
    "GATEWAY_RATE_LIMIT_PER_WINDOW": "1000000",
    "GATEWAY_PUBLIC_RATE_LIMIT_PER_WINDOW": "1000000",
    "GATEWAY_BREAKER_RESET_S": "0.5",
    "GATEWAY_REDIS_URL": "",
}


@contextlib.contextmanager
def port_offset(offset: int) -> Iterator[None]:
    saved = os.environ.get("SKILLS_PORT_OFFSET")
    os.environ["SKILLS_PORT_OFFSET"] = str(offset)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("SKILLS_PORT_OFFSET", None)
        else:
            os.environ["SKILLS_PORT_OFFSET"] = saved


def base(name: str, offset: int = OFFSET) -> str:
    return f"http://127.0.0.1:{SPECS[name].port + offset}"


def wait_until(url: str, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise AssertionError(f"{what} never answered {url}")


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@dataclass
class Suite:
    urls: dict[str, str]
    procs: dict[str, subprocess.Popen[bytes]]
    logs: Path

    def start(self, spec: ServiceSpec) -> None:
        extra = GATEWAY_ENV if spec.name == "gateway" else {}
        with port_offset(OFFSET):
            self.procs[spec.name] = run.start(
                spec, self.urls[spec.name], "127.0.0.1", self.logs, extra, sandbox=False
            )

    def kill9(self, name: str) -> None:
        proc = self.procs[name]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture(scope="module")
def suite() -> Iterator[Suite]:
    with tempfile.TemporaryDirectory(prefix="skills-platform-") as tmp, contextlib.ExitStack() as stack:
        restore_calendar = apply_synthetic_calendar(today_shanghai(), Path(tmp) / "synthetic-calendar.json")
        stack.callback(restore_calendar)
        urls = {}
        for spec in SERVICES:
            urls[spec.name] = stack.enter_context(fresh_database("plat_" + spec.package, spec.migrations_dir))
            run.load_reference_data(spec, urls[spec.name])
        logs = Path(tmp) / "logs"
        logs.mkdir()
        running = Suite(urls, {}, logs)
        try:
            for spec in SERVICES:
                running.start(spec)
            for spec in SERVICES:
                wait_until(f"{base(spec.name)}/readyz", spec.name)
            yield running
        finally:
            for proc in running.procs.values():
                stop(proc)


@contextlib.contextmanager
def lone_gateway(database_url: str, logs: Path, **env: str) -> Iterator[str]:
    """One more gateway process, started like `make run` starts it, with small public budgets."""
    spec = SPECS["gateway"]
    extra = {
        "GATEWAY_PUBLIC_RATE_LIMIT_PER_WINDOW": "20",
        "GATEWAY_RATE_LIMIT_WINDOW_S": "3600",
        "GATEWAY_REDIS_URL": "",
        "SKILLS_REGISTRY_URL": f"http://127.0.0.1:{free_port()}",
        **env,
    }
    with port_offset(XFF_OFFSET):
        proc = run.start(spec, database_url, "127.0.0.1", logs, extra, sandbox=False)
    try:
        wait_until(f"{base('gateway', XFF_OFFSET)}/healthz", "the lone gateway")
        yield base("gateway", XFF_OFFSET)
    finally:
        stop(proc)


def lookups(gateway: str, forwarded: list[str]) -> list[int]:
    with httpx.Client(base_url=gateway, timeout=10) as client:
        return [
            client.get(
                f"/api/v1/certificates/{NUMBER}", params={"name": "张三"}, headers={"X-Forwarded-For": a}
            ).status_code
            for a in forwarded
        ]


def test_forged_forwarded_addresses_buy_no_budget(suite: Suite) -> None:
    """70 look-ups from one loopback client, each claiming another address: 429 after the budget of 20."""
    forged = [f"203.0.113.{i}" for i in range(70)]
    with lone_gateway(suite.urls["gateway"], suite.logs) as gateway:
        statuses = lookups(gateway, forged)
    assert 429 not in statuses[:20], statuses
    assert statuses[20:] == [429] * 50, statuses


def test_forwarded_addresses_count_behind_a_configured_proxy(suite: Suite) -> None:
    """The same setting is the one switch: with 127.0.0.1 listed as a proxy, each forwarded client has its own
    budget, and one forwarded client still meets its limit."""
    with lone_gateway(suite.urls["gateway"], suite.logs, SKILLS_TRUSTED_PROXIES="127.0.0.1") as gateway:
        spread = lookups(gateway, [f"203.0.113.{i}" for i in range(70)])
        one = lookups(gateway, ["198.51.100.7"] * 25)
    assert 429 not in spread, spread
    assert one[:20].count(429) == 0 and one[20:] == [429] * 5, one


async def _load(
    gateway: str, stop: asyncio.Event, answering: asyncio.Event, statuses: list[int], bodies: list[str]
) -> None:
    """Twenty callers listing and claiming vouchers through the gateway until ``stop`` is set; ``answering`` is
    set once the service has answered five of them."""
    answered = 0
    citizen = bearer("citizen", HOLDER)
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:

        async def worker(i: int) -> None:
            nonlocal answered
            while not stop.is_set():
                if i % 2:
                    r = await client.get("/api/v1/voucher/me/vouchers", headers=citizen)
                else:  # a write in flight when the service dies: not retried, so the kill shows
                    r = await client.post(
                        "/api/v1/voucher/me/vouchers/claims",
                        json={},
                        headers={**citizen, "Idempotency-Key": uuid.uuid4().hex},
                    )
                statuses.append(r.status_code)
                if r.status_code >= 500:
                    bodies.append(r.text)
                else:
                    answered += 1
                    if answered >= 5:
                        answering.set()

        await asyncio.gather(*(worker(i) for i in range(20)))


def test_killing_a_service_under_load_gives_503s_never_500s(suite: Suite) -> None:
    gateway = base("gateway")
    statuses: list[int] = []
    bodies: list[str] = []
    for _ in range(ROUNDS):
        wait_until(f"{base('voucher')}/readyz", "voucher")

        async def round_() -> None:
            loop = asyncio.get_running_loop()
            stop, answering = asyncio.Event(), asyncio.Event()
            load = asyncio.create_task(_load(gateway, stop, answering, statuses, bodies))
            # the kill lands while the service is answering (its breaker closed again after the last round)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(answering.wait(), WAIT_S)
            await loop.run_in_executor(None, suite.kill9, "voucher")
            await asyncio.sleep(1.0)
            stop.set()
            await load

        asyncio.run(round_())
        suite.start(SPECS["voucher"])
    wait_until(f"{base('voucher')}/readyz", "voucher")
    assert 500 not in statuses, [b for b in bodies if '"status":500' in b.replace(" ", "")][:3]
    assert statuses.count(503) > 0, "the kills were never seen: the test did not test"
    seen = {s: statuses.count(s) for s in set(statuses)}
    assert any(s < 500 for s in statuses), (
        f"the service never answered: the test did not test ({seen}, {bodies[:2]})"
    )
    problems = [json.loads(b) for b in bodies if b.startswith("{")]
    assert all(p.get("service") == "voucher" for p in problems if p.get("code") == "service_unavailable")


def _workflow() -> None:
    """A citizen's day through the gateway, with personal data in paths, queries, bodies and tokens."""
    citizen = bearer("citizen", HOLDER)
    gateway = base("gateway")
    with httpx.Client(base_url=gateway, timeout=30) as client:
        client.get(f"/api/v1/certificates/{NUMBER}", params={"id_number": HOLDER})
        client.get(f"/api/v1/certificates/{NUMBER}", params={"name": "张三"})
        client.get(f"/api/v1/registry/certificates/{NUMBER}/verification", params={"id_number": HOLDER})
        client.get("/api/v1/me", headers=citizen)
        client.get("/api/v1/voucher/me/vouchers", params={"phone": "13912345678"}, headers=citizen)
        draft = client.post(
            "/api/v1/subsidy/claims",
            json={**cq_draft(HOLDER, NUMBER), "contact_phone": "13812345678"},
            headers={**citizen, "Idempotency-Key": uuid.uuid4().hex},
        )
        if draft.status_code == 201:
            client.post(
                f"/api/v1/subsidy/claims/{draft.json()['id']}/submit",
                headers={**citizen, "Idempotency-Key": uuid.uuid4().hex},
            )
        client.post(
            "/api/v1/subsidy-applications",
            json={"certificate_number": NUMBER, "id_number": HOLDER, "phone": "13712345678"},
            headers={**citizen, "Idempotency-Key": uuid.uuid4().hex},
        )
        client.post(
            "/api/v1/vouchers/claims", json={}, headers={**citizen, "Idempotency-Key": uuid.uuid4().hex}
        )
        client.get(f"/api/v1/certificates/{NUMBER}", headers={"X-Padding": HOLDER * 2000})
    with socket.create_connection(("127.0.0.1", SPECS["gateway"].port + OFFSET)) as raw:
        raw.sendall(f"GET /api/v1/x?id_number={HOLDER} HTTP/1.1\r\nHost: \x00{HOLDER}\r\n\r\n".encode())
        raw.recv(4096)


def test_no_log_line_of_any_process_holds_an_id_number_or_a_phone(suite: Suite) -> None:
    _workflow()
    time.sleep(0.5)  # let the processes flush their last lines
    offenders: list[str] = []
    not_json: list[str] = []
    access: dict[str, int] = {}
    for path in sorted(suite.logs.glob("*.log")):
        for line in path.read_text(errors="replace").splitlines():
            if not line.strip():
                continue
            if ID_NUMBER.search(line) or PHONE.search(line):
                offenders.append(f"{path.name}: {line[:300]}")
            try:
                entry = json.loads(line)
            except ValueError:
                not_json.append(f"{path.name}: {line[:200]}")
                continue
            assert entry.get("service"), line
            if entry.get("event") == "request":
                access[path.name] = access.get(path.name, 0) + 1
                assert entry.get("request_id") and entry.get("trace_id") and "status" in entry, line
                assert "duration_ms" in entry and entry.get("route"), line
    assert not offenders, "\n".join(offenders[:10])
    assert not not_json, "\n".join(not_json[:10])
    assert access.get("gateway.log", 0) >= 5 and access.get("certificate-registry.log", 0) > 0, access
