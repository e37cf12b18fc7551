"""Body events reach a partner's webhook end to end, on real processes (issue 23).

org-filing (in this process, its real app and database) files and cancels bodies; its transactional outbox —
the real ``OutboxDelivery`` loop — carries each event to a gateway running as its own uvicorn process, which
signs and delivers them to a real receiving server on loopback that verifies each with the Standard Webhooks
library. The gateway is killed with SIGKILL while a webhook is in flight and while events wait, then started
again; the endpoint fails for a while, then recovers. The receiver ends with every event of the workflow, each
event ID accepted (a redelivery after the kill carries the same ID and body), in order per body.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from of_factories import filed_body
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.app import MIGRATIONS_DIR as GATEWAY_MIGRATIONS
from org_filing.settings import OrgFilingSettings
from skills_shared.auth import Role
from skills_shared.contracts.v1.events import EVENTS_TARGET
from skills_shared.events import events_client, service_token
from skills_shared.outbox import OutboxDelivery
from skills_shared.testing import auth_headers, free_port, fresh_database

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "gateway" / "tests"))
from events_kit import EVENT_ENV, Receiver, eventually

PARTNER = auth_headers(Role.PARTNER, sub="app-backend")
BODY_TYPES = ["body.filed", "body.cancelled"]


@pytest.fixture(scope="module")
def gateway_db() -> Iterator[str]:
    with fresh_database("gw_body_events", GATEWAY_MIGRATIONS) as url:
        yield url


class GatewayProcess:
    """The gateway as `make run` starts it (uvicorn, its own process group), on a fixed port across restarts."""

    def __init__(self, database_url: str, logs: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            **EVENT_ENV,
            "GATEWAY_DATABASE_URL": database_url,
            "GATEWAY_ENVIRONMENT": "test",
            "GATEWAY_RATE_LIMIT_ENABLED": "false",
            "GATEWAY_REDIS_URL": "",
            "GATEWAY_LOG_LEVEL": "WARNING",
        }
        self.logs = logs
        self.proc: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        argv = [sys.executable, "-m", "uvicorn", "gateway.app:create_app", "--factory"]
        argv += ["--host", "127.0.0.1", "--port", str(self.port), "--no-access-log"]
        with self.logs.open("ab") as log:
            self.proc = subprocess.Popen(  # noqa: S603, ASYNC220 - our own interpreter, fixed argv; started once per phase
                argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

        async def ready() -> bool:
            assert self.proc is not None and self.proc.poll() is None, self.logs.read_text()[-2000:]
            with contextlib.suppress(httpx.HTTPError):
                async with httpx.AsyncClient() as client:
                    return (await client.get(f"{self.url}/readyz", timeout=2)).status_code == 200
            return False

        await eventually(ready, "the gateway process answering", limit_s=90)

    def kill9(self) -> None:
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill9()


async def event_rows(engine: AsyncEngine) -> list[dict[str, object]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT body FROM outbox WHERE target = :t ORDER BY id"), {"t": EVENTS_TARGET}
        )
        return [dict(r["body"]) for r in rows.mappings()]


async def test_every_body_event_reaches_the_partner_across_a_killed_gateway_and_a_failing_endpoint(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    settings: OrgFilingSettings,
    gateway_db: str,
    tmp_path: Path,
) -> None:
    gateway = GatewayProcess(gateway_db, tmp_path / "gateway.log")
    receiver = await Receiver().start()
    await gateway.start()
    our = settings.model_copy(update={"gateway_url": gateway.url})
    sender = events_client(our)
    delivery = OutboxDelivery(
        client._transport.app.state.db.sessionmaker,  # type: ignore[attr-defined]
        {EVENTS_TARGET: sender},
        token=service_token(our),
        poll_s=0.05,
    )

    async def nudge() -> None:
        """Retry waiting outbox rows now rather than after their back-off (the loop's own pace is not tested)."""
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE outbox SET next_attempt_at = now() WHERE delivered_at IS NULL"))

    try:
        async with httpx.AsyncClient(base_url=gateway.url) as gw:
            created = await gw.post(
                "/api/v1/events/subscriptions",
                json={"url": receiver.url, "event_types": BODY_TYPES},
                headers=PARTNER,
            )
            assert created.status_code == 201, created.text
            receiver.secrets.append(created.json()["secret"])
        delivery.start()

        # the endpoint fails for a while, then recovers
        receiver.fail_next = 3
        first, _, officer = await filed_body(client)
        second, _, _ = await filed_body(client)
        await eventually(lambda: len(receiver.accepted) == 2, "the first two bodies' events")
        assert receiver.requests >= 5

        # a webhook in flight when the gateway is killed
        receiver.hold = asyncio.Event()
        cancelled = await client.post(
            f"/v1/bodies/{first}/cancellation", json={"reason": "自行注销"}, headers=officer
        )
        assert cancelled.status_code == 200, cancelled.text
        await eventually(lambda: receiver.requests >= 6, "the cancellation's webhook in flight")
        gateway.kill9()
        receiver.hold.set()
        receiver.hold = None

        # events recorded while the gateway is down wait in org-filing's outbox
        third, _, _ = await filed_body(client)
        await client.post(
            f"/v1/bodies/{second}/cancellation", json={"reason": "不再开展评价"}, headers=officer
        )

        await gateway.start()
        await nudge()
        recorded = await event_rows(engine)
        assert len(recorded) == 5
        want = {str(e["id"]) for e in recorded}
        await eventually(lambda: set(receiver.ids) == want, "every event after the restart")
    finally:
        await delivery.stop()
        await sender.aclose()
        gateway.stop()
        await receiver.stop()

    assert receiver.unverified == 0
    by_id: dict[str, dict[str, object]] = {}
    for event_id, payload in receiver.accepted:
        assert by_id.setdefault(event_id, payload) == payload  # a redelivery is the same event, byte for byte
    assert {e["id"]: e for e in recorded} == by_id
    for body in (first, second):
        got = [p["type"] for i, p in receiver.accepted if p["resource_id"] == body]
        assert list(dict.fromkeys(got)) == ["body.filed", "body.cancelled"]
    assert [p["type"] for _, p in receiver.accepted if p["resource_id"] == third] == ["body.filed"]
    filed = by_id[next(i for i, p in receiver.accepted if p["resource_id"] == third)]
    assert filed["body_code"] == third and filed["district_code"] == third[7:9]
