"""Test support: real PostgreSQL databases per service per run, clean tables between tests, an ASGI client,
and a synthetic working-day calendar for tests and the benchmark that run on the real clock."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import asyncpg
import chinese_calendar
import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_fixed

from skills_shared.auth import Role, mint_token
from skills_shared.db import to_async_url, to_asyncpg_dsn
from skills_shared.db.migrations import upgrade
from skills_shared.settings import DEV_JWT_SECRET
from skills_shared.workdays import CALENDAR_FILE_ENV, reset_loaded_calendars

if TYPE_CHECKING:
    from pytest import MonkeyPatch

REPO_ROOT = Path(__file__).resolve().parents[3]


def admin_url() -> str:
    """The server tests create their databases on: ``TEST_DATABASE_URL``, else an embedded one under .data/."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    from pgserver.postgres_server import get_server  # development dependency

    data = REPO_ROOT / ".data" / "pg-test"
    data.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(data, cleanup_mode=None)
    url = server.get_uri()
    os.environ["TEST_DATABASE_URL"] = url
    return url


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database (keeps query parameters such as a socket ``host``)."""
    base, _, query = url.partition("?")
    scheme, _, rest = base.partition("://")
    authority = rest.split("/", 1)[0]
    return f"{scheme}://{authority}/{name}" + (f"?{query}" if query else "")


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(to_asyncpg_dsn(with_database(url, "postgres")))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def fresh_database(service: str, migrations_dir: Path) -> Iterator[str]:
    """Create a uniquely named database, migrate it to head with Alembic, drop it afterwards.

    Call from a synchronous session fixture (outside a running event loop): Alembic's async env runs its own loop.
    """
    server = admin_url()
    name = f"t_{service.replace('-', '_')}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    url = to_async_url(with_database(server, name))
    try:
        upgrade(migrations_dir, url)
        yield url
    finally:
        asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _deadlocked(exc: BaseException) -> bool:
    """PostgreSQL chose this transaction as a deadlock's victim (SQLSTATE 40P01)."""
    return isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) == "40P01"


async def truncate_all(engine: AsyncEngine, keep: Iterable[str] = ()) -> None:
    """Empty every table but ``alembic_version`` and ``keep`` (reference data), resetting identities.

    Truncation, not per-test rollback: tests here race real concurrent transactions, which an enclosing
    rollback-only transaction cannot host. The audit log's append-only trigger is bypassed for this session only.
    A service's background loop (the gateway's webhook delivery polls its tables twice a second) may hold a read
    lock on one table while TRUNCATE holds another: PostgreSQL then ends one of them as a deadlock, and the
    truncation is simply tried again (tenacity, a few times).
    """
    keep_set = {"alembic_version", *keep}
    async for attempt in AsyncRetrying(
        retry=retry_if_exception(_deadlocked), stop=stop_after_attempt(5), wait=wait_fixed(0.05), reraise=True
    ):
        with attempt:
            async with engine.begin() as conn:
                names = (
                    (await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")))
                    .scalars()
                    .all()
                )
                targets = [n for n in names if n not in keep_set]
                if targets:
                    await conn.execute(text("SET LOCAL session_replication_role = replica"))
                    await conn.execute(
                        text(
                            f"TRUNCATE {', '.join(chr(34) + n + chr(34) for n in targets)} RESTART IDENTITY CASCADE"
                        )
                    )


@asynccontextmanager
async def running_app(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and give an httpx client speaking ASGI to it (no sockets)."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=60) as client:
            yield client


def free_port() -> int:
    """A loopback port free at the moment of asking (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def served(app: Any, **config: Any) -> AsyncIterator[str]:
    """``app`` on a real uvicorn on a free loopback port, inside the test's event loop; its base URL.

    For tests that need real sockets (a browser, the lean HTTP client, the wire format itself). ``config`` goes to
    ``uvicorn.Config`` (``lifespan``, ``http``…); the server is told to exit and awaited when the block ends."""
    port = free_port()
    config.setdefault("log_level", "warning")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **config))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # a server that failed to start says why
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def auth_headers(
    role: Role | str, sub: str = "tester", *, secret: str = DEV_JWT_SECRET, **claims: Any
) -> dict[str, str]:
    """Authorization header for a freshly minted development token."""
    token = mint_token(secret, sub=sub, role=role, **claims)
    return {"Authorization": f"Bearer {token}"}


async def check_platform_conventions(client: httpx.AsyncClient, service: str) -> None:
    """What every service must show: liveness, readiness at the migration head, problem+json with the request id,
    Prometheus metrics labelled with the service, and an audit chain only auditors may verify."""
    assert (await client.get("/healthz")).json()["status"] == "ok"
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["migrations"] == "current"
    missing = await client.get("/no-such-route", headers={"X-Request-ID": "req-123"})
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.headers["x-request-id"] == "req-123"
    assert missing.json()["request_id"] == "req-123"
    metrics = await client.get("/metrics")
    assert f'service="{service}"' in metrics.text
    assert (await client.get("/v1/audit/verify")).status_code == 401
    verified = await client.get("/v1/audit/verify", headers=auth_headers("inspector"))
    assert verified.status_code == 200
    assert verified.json()["ok"] is True


def _library_covers(year: int) -> bool:
    """Whether ``chinese_calendar`` has the official schedule of ``year`` (it covers whole years or none)."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def synthetic_calendar_for_uncovered_years(today: date, path: Path, years_ahead: int = 1) -> Path | None:
    """Write a calendar file for the years ``today.year … today.year + years_ahead`` the library lacks.

    SYNTHETIC DATA, for tests that run real services on the real clock and for the benchmark only; never
    for deployment. Each missing year gets no holidays and no make-up workdays (weekdays work, weekends are
    off), which is wrong around every statutory holiday. It exists because the official schedule of a year is
    published late in the previous year and ``chinesecalendar`` catches up later still: from mid-December a
    walk of a few working days from today enters a year nobody covers and P-3 rightly refuses it, which would
    fail those runs for reasons unrelated to the code under test. Production keeps refusing (P-3) until an
    operator supplies real data through ``SKILLS_CALENDAR_FILE`` or the library is updated.

    Returns ``path`` once written (in the format of ``parse_calendar_file``), or None, writing nothing, when
    the library covers every one of those years.
    """
    missing = [y for y in range(today.year, today.year + years_ahead + 1) if not _library_covers(y)]
    if not missing:
        return None
    content: dict[str, dict[str, list[str]]] = {str(y): {"holidays": [], "workdays": []} for y in missing}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
    return path


@contextmanager
def library_calendars_only() -> Iterator[None]:
    """Inside, only the calendar library's years count: no operator file (``SKILLS_CALENDAR_FILE``) and no
    year a test loaded before; on the way out, years the test loaded itself are forgotten again. For the tests of
    what happens when a period runs into a year nobody has covered yet (P-3)."""
    saved = os.environ.pop(CALENDAR_FILE_ENV, None)
    reset_loaded_calendars()
    try:
        yield
    finally:
        reset_loaded_calendars()
        if saved is not None:
            os.environ[CALENDAR_FILE_ENV] = saved


def apply_synthetic_calendar(today: date, path: Path, years_ahead: int = 1) -> Callable[[], None]:
    """Point ``SKILLS_CALENDAR_FILE`` at a synthetic calendar when years are missing; returns the undo.

    For real-clock tests and the benchmark only (see ``synthetic_calendar_for_uncovered_years``). Service
    processes started afterwards inherit the variable. A file the operator already named is left alone, as is
    the environment when the library covers every year; the undo then does nothing.
    """
    if os.environ.get(CALENDAR_FILE_ENV):
        return lambda: None
    written = synthetic_calendar_for_uncovered_years(today, path, years_ahead)
    if written is None:
        return lambda: None
    os.environ[CALENDAR_FILE_ENV] = str(written)
    reset_loaded_calendars()

    def undo() -> None:
        os.environ.pop(CALENDAR_FILE_ENV, None)
        reset_loaded_calendars()

    return undo


async def metric_value(client: httpx.AsyncClient, name: str, **labels: str) -> float:
    """The value of one sample of the app's ``/metrics`` (0 when the labelled sample is not exported yet)."""
    from prometheus_client.parser import text_string_to_metric_families

    answer = await client.get("/metrics")
    assert answer.status_code == 200, answer.text
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


def log_lean_statements(app: FastAPI, monkeypatch: MonkeyPatch) -> list[str]:
    """Wrap the app's lean pool so that every connection it lends logs its statements into the returned list.

    One statement is one round trip once it is prepared on the connection: count after a warm-up request. The
    round-trip tests of the lean paths (redeem, claim submit, the shared unit of work) all count this way."""
    db = app.state.db
    lend = db.lean_pool
    sent: list[str] = []

    def log(record: Any) -> None:
        sent.append(record.query)

    class LoggedPool:
        def __init__(self, pool: Any) -> None:
            self.pool = pool

        @asynccontextmanager
        async def acquire(self) -> AsyncIterator[Any]:
            async with self.pool.acquire() as conn:
                conn.add_query_logger(log)
                try:
                    yield conn
                finally:
                    conn.remove_query_logger(log)

    async def lean_pool() -> LoggedPool:
        return LoggedPool(await lend())

    monkeypatch.setattr(db, "lean_pool", lean_pool)
    return sent
