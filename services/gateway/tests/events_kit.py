"""Scaffolding of the partner-event tests: a real webhook receiver on loopback, events, tokens, waiting."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from skills_shared.auth import Role
from skills_shared.contracts.v1.events import ClaimEventData, DomainEventV1, EventType, new_event_id
from skills_shared.testing import auth_headers

SERVICE = auth_headers(Role.SERVICE, sub="subsidy-claims")
EVENT_ENV = {
    "GATEWAY_EVENTS_POLL_S": "0.05",
    "GATEWAY_EVENTS_BACKOFF_BASE_S": "0.05",
    "GATEWAY_EVENTS_BACKOFF_MAX_S": "0.2",
    "GATEWAY_EVENTS_TIMEOUT_S": "2",
    "GATEWAY_EVENTS_LEASE_MARGIN_S": "0.5",
}
"""Short back-off so that a test's failing endpoint recovers in a fraction of a second."""


def partner(sub: str, **scope: str) -> dict[str, str]:
    return auth_headers(Role.PARTNER, sub=sub, **scope)


def claim_event(kind: EventType, claim_id: str, district: str, *, status: str = "approved") -> DomainEventV1:
    return DomainEventV1(
        id=new_event_id(),
        type=kind,
        occurred_at=datetime.now(UTC),
        resource_id=claim_id,
        district_code=district,
        policy="cq-eval",
        data=ClaimEventData(status=status, applicant_id_number="500***********123X", amount_fen=50000),
    )


def ingest_path(event: DomainEventV1) -> str:
    return f"/internal/v1/events/{event.resource_type}/{event.resource_id}"


@dataclass
class Receiver:
    """A partner's endpoint: verifies every request with the Standard Webhooks library and keeps what it accepted.

    ``fail_next`` answers that many requests with 500 first; ``hold`` (when set) keeps each request waiting until
    it is released, as a slow endpoint would.
    """

    secrets: list[str] = field(default_factory=list)
    fail_next: int = 0
    always_fail: bool = False
    hold: asyncio.Event | None = None
    requests: int = 0
    accepted: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    unverified: int = 0
    verified_by: list[set[int]] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None

    @property
    def ids(self) -> list[str]:
        return [i for i, _ in self.accepted]

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.requests += 1
        if self.hold is not None:
            await self.hold.wait()
        if self.always_fail or self.fail_next > 0:
            self.fail_next = max(0, self.fail_next - 1)
            return web.Response(status=500, text="down for maintenance")
        headers = dict(request.headers)
        ok: set[int] = set()
        for i, secret in enumerate(self.secrets):
            try:
                Webhook(secret).verify(body, headers)
                ok.add(i)
            except WebhookVerificationError:
                pass
        if not ok:
            self.unverified += 1
            return web.Response(status=400, text="bad signature")
        payload = Webhook(self.secrets[min(ok)]).verify(body, headers)
        assert payload["id"] == headers["webhook-id"] or payload["id"] == headers["Webhook-Id"]
        self.accepted.append((payload["id"], payload))
        self.verified_by.append(ok)
        return web.Response(status=204)

    async def start(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/hook"
        return self

    async def stop(self) -> None:
        if self.hold is not None:
            self.hold.set()
        if self._runner is not None:
            await self._runner.cleanup()


async def eventually(check: Callable[[], Awaitable[bool] | bool], what: str, limit_s: float = 60.0) -> None:
    """Wait until ``check`` holds (a guard against a hang, not a timing assertion)."""
    deadline = asyncio.get_running_loop().time() + limit_s
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(0.05)


def new_claim_id() -> str:
    return str(uuid.uuid4())
