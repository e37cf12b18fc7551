"""Partner events (issue 23): webhook deliveries per second and the delay from a change to its delivery.

Events are POSTed to the gateway's ingest route exactly as the services' outboxes send them (service token, one
path per resource), each stamped with ``occurred_at`` just before it is sent; real receiving servers on
loopback verify every webhook with the ``standardwebhooks`` library and note when it arrived. Reported, not
gated: the figures depend on the gateway's delivery loop, its database, and the receivers on the same machine.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from aiohttp import web
from standardwebhooks.webhooks import Webhook

from bench.common import CATALOGUE, Context, Spec, StepFailed, bearer, expect
from skills_shared.contracts.v1.events import ClaimEventData, DomainEventV1, EventType, new_event_id

CATALOGUE.update(
    {
        "events.rate": Spec("9. Events", "webhook deliveries per second (2 endpoints)", "events/s"),
        "events.delay_p50": Spec("9. Events", "change → webhook delivered, p50", "ms"),
        "events.delay_p99": Spec("9. Events", "change → webhook delivered, p99", "ms"),
    }
)
KEYS = ("events.rate", "events.delay_p50", "events.delay_p99")
EVENTS = 2000
ENDPOINTS = 2
SENDERS = 16


class _Endpoint:
    def __init__(self) -> None:
        self.secret = ""
        self.arrivals: dict[str, float] = {}
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        payload = Webhook(self.secret).verify(body, dict(request.headers))
        occurred = datetime.fromisoformat(payload["occurred_at"]).timestamp()
        self.arrivals.setdefault(payload["id"], time.time() - occurred)
        return web.Response(status=204)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}/hook"


def _event() -> DomainEventV1:
    return DomainEventV1(
        id=new_event_id(),
        type=EventType.CLAIM_PAID,
        occurred_at=datetime.now(UTC),
        resource_id=str(uuid.uuid4()),
        district_code="05",
        policy="cq-eval",
        data=ClaimEventData(status="paid", applicant_id_number="500***********123X", amount_fen=50000),
    )


async def _run(ctx: Context, base: str) -> None:
    endpoints = [_Endpoint() for _ in range(ENDPOINTS)]
    service = bearer("service", sub="bench-outbox")
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        subscriptions = []
        for i, endpoint in enumerate(endpoints):
            await endpoint.start()
            created = expect(
                await client.post(
                    "/api/v1/events/subscriptions",
                    json={"url": endpoint.url, "event_types": ["claim.paid"]},
                    headers=bearer("partner", sub=f"bench-partner-{i}"),
                ),
                201,
                what="subscribe",
            )
            endpoint.secret = created["secret"]
            subscriptions.append((created["id"], f"bench-partner-{i}"))
        queue: asyncio.Queue[int] = asyncio.Queue()
        for n in range(EVENTS):
            queue.put_nowait(n)

        async def sender() -> None:
            while not queue.empty():
                queue.get_nowait()
                event = _event()
                path = f"/internal/v1/events/{event.resource_type}/{event.resource_id}"
                expect(await client.post(path, json=event.model_dump(mode="json"), headers=service), 202)

        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(SENDERS)))
        deadline = time.monotonic() + 300
        while any(len(e.arrivals) < EVENTS for e in endpoints):
            if time.monotonic() > deadline:
                got = [len(e.arrivals) for e in endpoints]
                raise StepFailed(f"only {got} of {EVENTS} events per endpoint arrived in 300 s")
            await asyncio.sleep(0.05)
        seconds = time.perf_counter() - started
        for sub_id, owner in subscriptions:
            await client.delete(
                f"/api/v1/events/subscriptions/{sub_id}", headers=bearer("partner", sub=owner)
            )
    for endpoint in endpoints:
        if endpoint.runner is not None:
            await endpoint.runner.cleanup()
    delays_ms = sorted(d * 1000 for e in endpoints for d in e.arrivals.values())
    delivered = EVENTS * ENDPOINTS
    rate = delivered / seconds
    p50 = statistics.median(delays_ms)
    p99 = delays_ms[min(len(delays_ms) - 1, int(len(delays_ms) * 0.99))]
    data: dict[str, Any] = {"events": EVENTS, "endpoints": ENDPOINTS, "senders": SENDERS, "seconds": seconds}
    ctx.figure(
        "events.rate",
        rate,
        f"{delivered:,} signed webhooks ({EVENTS:,} events × {ENDPOINTS} endpoints) in {seconds:.1f} s, "
        f"ingested by {SENDERS} concurrent outbox-like senders",
        data=data,
    )
    ctx.figure(
        "events.delay_p50", p50, f"{p50:.0f} ms from occurred_at to arrival at the endpoint", data=data
    )
    ctx.figure(
        "events.delay_p99", p99, f"{p99:.0f} ms from occurred_at to arrival at the endpoint", data=data
    )


def measure(ctx: Context) -> None:
    try:
        asyncio.run(_run(ctx, ctx.proc_base("gateway")))
    except (StepFailed, httpx.HTTPError, KeyError) as exc:
        for key in KEYS:
            if ctx.results.get(key) is None:
                ctx.missing(key, str(exc) or type(exc).__name__)
