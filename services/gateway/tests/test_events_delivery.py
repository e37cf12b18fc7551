"""Partner events on the gateway: ingest, fan-out, signed webhook delivery to a real loopback endpoint, the pull
feed, replay, secret rotation, disabling after failure, isolation between endpoints (issue 23).

Each test runs its own gateway app (its delivery loop included) on this module's own database, with a short
back-off; the receiving endpoints are real aiohttp servers on 127.0.0.1 that verify every request with the
Standard Webhooks library.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from events_kit import (
    EVENT_ENV,
    SERVICE,
    Receiver,
    claim_event,
    eventually,
    ingest_path,
    new_claim_id,
    partner,
)
from fastapi import FastAPI
from sqlalchemy import text

from gateway.app import MIGRATIONS_DIR, create_app
from gateway.settings import GatewaySettings
from skills_shared.contracts.v1.events import DomainEventV1, EventType
from skills_shared.testing import fresh_database, running_app, truncate_all

ALL_TYPES = [t.value for t in EventType]


@pytest.fixture(scope="module")
def events_db() -> Iterator[str]:
    with fresh_database("gw_events", MIGRATIONS_DIR) as url:
        yield url


def gateway_app(url: str) -> FastAPI:
    return create_app(
        GatewaySettings(
            database_url=url,
            environment="test",
            log_level="WARNING",
            database_pool_size=4,
            rate_limit_enabled=False,
        )
    )


@pytest.fixture
async def gw(events_db: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    for name, value in EVENT_ENV.items():
        monkeypatch.setenv(name, value)
    app = gateway_app(events_db)
    async with running_app(app) as client:
        client.app = app  # type: ignore[attr-defined]
        yield client
        await truncate_all(app.state.db.engine)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = await Receiver().start()
    yield r
    await r.stop()


async def ingest(gw: httpx.AsyncClient, event: DomainEventV1) -> bool:
    response = await gw.post(ingest_path(event), json=event.model_dump(mode="json"), headers=SERVICE)
    assert response.status_code == 202, response.text
    stored: bool = response.json()["stored"]
    return stored


async def subscribe(
    gw: httpx.AsyncClient, receiver: Receiver, headers: dict[str, str], **extra: Any
) -> dict[str, Any]:
    body = {"url": receiver.url, "event_types": ALL_TYPES, **extra}
    response = await gw.post("/api/v1/events/subscriptions", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    receiver.secrets.append(created["secret"])
    return created


async def test_every_event_once_in_order_through_an_endpoint_that_fails_then_recovers(
    gw: httpx.AsyncClient, receiver: Receiver
) -> None:
    who = partner("app-backend")
    sub = await subscribe(gw, receiver, who)
    receiver.fail_next = 5
    claims = [new_claim_id() for _ in range(3)]
    sent: list[DomainEventV1] = []
    for kind, status in [
        (EventType.CLAIM_APPROVED, "approved"),
        (EventType.CLAIM_PUBLISHED, "in_publicity"),
        (EventType.CLAIM_PAID, "paid"),
    ]:
        for claim in claims:
            event = claim_event(kind, claim, "05", status=status)
            assert await ingest(gw, event) is True
            sent.append(event)
    # the outbox's retry of a message already stored changes nothing
    assert await ingest(gw, sent[0]) is False

    await eventually(lambda: len(receiver.accepted) >= len(sent), "every event delivered")
    assert sorted(receiver.ids) == sorted(e.id for e in sent)  # each once
    assert receiver.unverified == 0
    for claim in claims:
        got = [p["type"] for _, p in receiver.accepted if p["resource_id"] == claim]
        assert got == ["claim.approved", "claim.published", "claim.paid"]  # order kept per resource
    assert receiver.accepted[0][1] == next(e for e in sent if e.id == receiver.ids[0]).model_dump(mode="json")

    log_path = f"/api/v1/events/subscriptions/{sub['id']}/deliveries?page_size=200"

    async def logged() -> bool:
        # the receiver answers before the gateway records the attempt: wait for the last record
        items = (await gw.get(log_path, headers=who)).json()["items"]
        return [a["outcome"] for a in items].count("delivered") == len(sent)

    await eventually(logged, "every delivery in the log")
    log = (await gw.get(log_path, headers=who)).json()
    outcomes = [a["outcome"] for a in log["items"]]
    assert outcomes.count("failed") == 5 and outcomes.count("delivered") == len(sent)
    assert {a["status_code"] for a in log["items"] if a["outcome"] == "failed"} == {500}
    metrics = (await gw.get("/metrics")).text
    assert f'skills_event_deliveries_total{{subscription="{sub["id"]}"}} 9.0' in metrics
    assert f'skills_event_delivery_failures_total{{subscription="{sub["id"]}"}} 5.0' in metrics
    assert f'skills_event_delivery_lag_seconds{{subscription="{sub["id"]}"}}' in metrics


async def test_a_partner_scoped_to_district_05_never_receives_an_event_of_district_06(
    gw: httpx.AsyncClient, receiver: Receiver
) -> None:
    city_wide = await Receiver().start()
    try:
        scoped = partner("district-app", district="05")
        await subscribe(gw, receiver, scoped)
        await subscribe(gw, city_wide, partner("city-app"))
        events = [
            claim_event(EventType.CLAIM_PAID, new_claim_id(), d, status="paid") for d in ["05", "06"] * 3
        ]
        for event in events:
            await ingest(gw, event)
        await eventually(lambda: len(city_wide.accepted) == 6, "the unscoped partner got all six")
        await eventually(lambda: len(receiver.accepted) == 3, "the scoped partner got its three")
        engine = gw.app.state.db.engine  # type: ignore[attr-defined]

        async def settled() -> bool:
            async with engine.connect() as conn:
                counts = (
                    await conn.execute(
                        text(
                            "SELECT count(*) FILTER (WHERE status <> 'delivered'), count(*) FROM event_deliveries"
                        )
                    )
                ).one()
            return bool(counts[0] == 0 and counts[1] == 9)

        # nine deliveries in all (six city-wide, three scoped), all closed: nothing about 06 was queued for 05
        await eventually(settled, "every delivery recorded")
        assert {p["district_code"] for _, p in receiver.accepted} == {"05"}
        assert {p["district_code"] for _, p in city_wide.accepted} == {"05", "06"}

        feed = (await gw.get("/api/v1/events", headers=scoped)).json()
        assert [e["district_code"] for e in feed["items"]] == ["05", "05", "05"]
        asked_06 = (await gw.get("/api/v1/events?district_code=06", headers=scoped)).json()
        assert asked_06["items"] == []
        refused = await gw.post(
            "/api/v1/events/subscriptions",
            json={"url": receiver.url, "event_types": ["claim.paid"], "filter": {"district_code": "06"}},
            headers=scoped,
        )
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["loc"] == ["body", "filter", "district_code"]
    finally:
        await city_wide.stop()


async def test_a_filter_narrows_what_a_subscription_receives(
    gw: httpx.AsyncClient, receiver: Receiver
) -> None:
    await subscribe(gw, receiver, partner("app"), filter={"policy": "sh-upgrade"}, event_types=["claim.paid"])
    other = await Receiver().start()
    try:
        await subscribe(gw, other, partner("app2"), event_types=["claim.paid"])
        await ingest(gw, claim_event(EventType.CLAIM_PAID, new_claim_id(), "05", status="paid"))  # cq-eval
        await ingest(gw, claim_event(EventType.CLAIM_APPROVED, new_claim_id(), "05"))  # not a wanted type
        await eventually(lambda: len(other.accepted) == 1, "the unfiltered subscription got its event")
        assert receiver.accepted == [] and receiver.requests == 0
    finally:
        await other.stop()


async def test_replay_resends_a_time_range_with_the_same_ids(
    gw: httpx.AsyncClient, receiver: Receiver
) -> None:
    who = partner("app")
    sub = await subscribe(gw, receiver, who)
    events = [claim_event(EventType.CLAIM_APPROVED, new_claim_id(), "05") for _ in range(4)]
    before = datetime.now(UTC) - timedelta(seconds=1)
    for event in events:
        await ingest(gw, event)
    await eventually(lambda: len(receiver.accepted) == 4, "first delivery")
    after = datetime.now(UTC) + timedelta(seconds=1)
    replay = await gw.post(
        f"/api/v1/events/subscriptions/{sub['id']}/replay",
        json={"since": before.isoformat(), "until": after.isoformat()},
        headers=who,
    )
    assert replay.status_code == 202, replay.text
    assert replay.json() == {"queued": 4}
    await eventually(lambda: len(receiver.accepted) == 8, "the replay")
    assert sorted(receiver.ids[4:]) == sorted(e.id for e in events)  # the same webhook-ids again
    empty = await gw.post(
        f"/api/v1/events/subscriptions/{sub['id']}/replay",
        json={
            "since": (before - timedelta(days=2)).isoformat(),
            "until": (before - timedelta(days=1)).isoformat(),
        },
        headers=who,
    )
    assert empty.json() == {"queued": 0}
    backwards = await gw.post(
        f"/api/v1/events/subscriptions/{sub['id']}/replay",
        json={"since": after.isoformat(), "until": before.isoformat()},
        headers=who,
    )
    assert backwards.status_code == 422
    stranger = await gw.post(
        f"/api/v1/events/subscriptions/{sub['id']}/replay",
        json={"since": before.isoformat(), "until": after.isoformat()},
        headers=partner("someone-else"),
    )
    assert stranger.status_code == 404


async def test_rotation_signs_with_the_new_secret_and_the_old_one_for_its_grace(
    gw: httpx.AsyncClient, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    who = partner("app")
    sub = await subscribe(gw, receiver, who)
    rotated = await gw.post(f"/api/v1/events/subscriptions/{sub['id']}/secret", headers=who)
    assert rotated.status_code == 200
    new = rotated.json()["secret"]
    assert new != sub["secret"] and new.startswith("whsec_")
    assert rotated.json()["previous_secret_valid_until"] is not None
    receiver.secrets.append(new)  # secrets: [old, new]
    await ingest(gw, claim_event(EventType.CLAIM_APPROVED, new_claim_id(), "05"))
    await eventually(lambda: len(receiver.accepted) == 1, "delivery after rotation")
    assert receiver.verified_by[0] == {0, 1}  # both signatures present during the grace period

    monkeypatch.setenv("GATEWAY_EVENTS_SECRET_GRACE_S", "0")
    again = (await gw.post(f"/api/v1/events/subscriptions/{sub['id']}/secret", headers=who)).json()
    assert again["previous_secret_valid_until"] is None
    receiver.secrets.append(again["secret"])  # [old, new, newest]
    await ingest(gw, claim_event(EventType.CLAIM_APPROVED, new_claim_id(), "05"))
    await eventually(lambda: len(receiver.accepted) == 2, "delivery after the second rotation")
    assert receiver.verified_by[1] == {2}  # only the newest secret signs now
    # the secret is never shown again
    listed = (await gw.get(f"/api/v1/events/subscriptions/{sub['id']}", headers=who)).json()
    assert "secret" not in listed


async def test_the_pull_cursor_survives_a_restart(events_db: str, gw: httpx.AsyncClient) -> None:
    who = partner("puller")
    events = [claim_event(EventType.CLAIM_PAID, new_claim_id(), "05", status="paid") for _ in range(5)]
    for event in events:
        await ingest(gw, event)
    first = (await gw.get("/api/v1/events?limit=2", headers=who)).json()
    assert [e["id"] for e in first["items"]] == [e.id for e in events[:2]]

    async with running_app(gateway_app(events_db)) as restarted:
        rest = (await restarted.get(f"/api/v1/events?after={first['next_cursor']}", headers=who)).json()
        assert [e["id"] for e in rest["items"]] == [e.id for e in events[2:]]
        nothing = (await restarted.get(f"/api/v1/events?after={rest['next_cursor']}", headers=who)).json()
        assert nothing == {"items": [], "next_cursor": rest["next_cursor"]}
        bad = await restarted.get("/api/v1/events?after=c1.not-a-cursor", headers=who)
        assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["query", "after"]
        officer = await restarted.get("/api/v1/events", headers=partner("x") | {})
        assert officer.status_code == 200


async def test_an_endpoint_failing_past_the_retry_window_is_disabled_with_a_reason(
    events_db: str, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {**EVENT_ENV, "GATEWAY_EVENTS_RETRY_WINDOW_S": "0.3"}.items():
        monkeypatch.setenv(name, value)
    app = gateway_app(events_db)
    async with running_app(app) as gw:
        try:
            who = partner("app")
            sub = await subscribe(gw, receiver, who)
            receiver.always_fail = True
            event = claim_event(EventType.CLAIM_APPROVED, new_claim_id(), "05")
            await ingest(gw, event)

            async def disabled() -> bool:
                got = (await gw.get(f"/api/v1/events/subscriptions/{sub['id']}", headers=who)).json()
                return bool(got["status"] == "disabled")

            await eventually(disabled, "the endpoint disabled")
            got = (await gw.get(f"/api/v1/events/subscriptions/{sub['id']}", headers=who)).json()
            assert "HTTP 500" in got["disabled_reason"] and "重试期限" in got["disabled_reason"]
            log = (await gw.get(f"/api/v1/events/subscriptions/{sub['id']}/deliveries", headers=who)).json()
            assert log["items"][0]["outcome"] == "gave_up"

            # repaired: re-enable, replay what was missed
            receiver.always_fail = False
            enabled = await gw.patch(
                f"/api/v1/events/subscriptions/{sub['id']}", json={"enabled": True}, headers=who
            )
            assert enabled.json()["status"] == "active" and enabled.json()["disabled_reason"] is None
            since = (event.occurred_at - timedelta(minutes=1)).isoformat()
            until = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
            await gw.post(
                f"/api/v1/events/subscriptions/{sub['id']}/replay",
                json={"since": since, "until": until},
                headers=who,
            )
            await eventually(lambda: receiver.ids == [event.id], "the replayed event")
        finally:
            await truncate_all(app.state.db.engine)


async def test_a_slow_endpoint_never_delays_another(gw: httpx.AsyncClient, receiver: Receiver) -> None:
    import asyncio

    slow = Receiver(hold=asyncio.Event())
    await slow.start()
    try:
        await subscribe(gw, slow, partner("slow"))
        await subscribe(gw, receiver, partner("fast"))
        events = [claim_event(EventType.CLAIM_APPROVED, new_claim_id(), "05") for _ in range(5)]
        for event in events:
            await ingest(gw, event)
        await eventually(lambda: len(receiver.accepted) == 5, "the fast endpoint got everything")
        assert slow.accepted == [] and slow.requests >= 1  # still stuck on its first requests
        assert slow.hold is not None
        slow.hold.set()
        await eventually(lambda: len(slow.accepted) == 5, "the slow endpoint caught up")
    finally:
        await slow.stop()


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"url": "http://partner.example.cn/hook", "event_types": ["claim.paid"]}, ["body", "url"]),
        ({"url": "ftp://127.0.0.1/hook", "event_types": ["claim.paid"]}, ["body", "url"]),
        (
            {"url": "https://partner.example.cn/hook", "event_types": ["claim.unknown"]},
            ["body", "event_types", 0],
        ),
        ({"url": "https://partner.example.cn/hook", "event_types": []}, ["body", "event_types"]),
        (
            {
                "url": "https://partner.example.cn/hook",
                "event_types": ["claim.paid"],
                "filter": {"colour": "x"},
            },
            ["body", "filter", "colour"],
        ),
    ],
)
async def test_a_bad_subscription_is_refused_naming_the_field_and_nothing_is_stored(
    gw: httpx.AsyncClient, body: dict[str, Any], loc: list[Any]
) -> None:
    who = partner("app")
    response = await gw.post("/api/v1/events/subscriptions", json=body, headers=who)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert any(e["loc"][: len(loc)] == loc for e in response.json()["errors"]), response.json()
    assert (await gw.get("/api/v1/events/subscriptions", headers=who)).json()["total"] == 0


async def test_only_partners_subscribe_and_only_services_ingest(gw: httpx.AsyncClient) -> None:
    from skills_shared.auth import Role
    from skills_shared.testing import auth_headers

    officer = auth_headers(Role.CITY_OFFICER, sub="o")
    body = {"url": "https://partner.example.cn/hook", "event_types": ["claim.paid"]}
    assert (await gw.post("/api/v1/events/subscriptions", json=body, headers=officer)).status_code == 403
    assert (await gw.get("/api/v1/events", headers=officer)).status_code == 403
    event = claim_event(EventType.CLAIM_PAID, new_claim_id(), "05", status="paid")
    forged = await gw.post(ingest_path(event), json=event.model_dump(mode="json"), headers=partner("app"))
    assert forged.status_code == 403
    https = await gw.post(
        "/api/v1/events/subscriptions",
        json={"url": "https://partner.example.cn/hook", "event_types": ["claim.paid"]},
        headers=partner("app"),
    )
    assert https.status_code == 201 and https.json()["secret"].startswith("whsec_")


async def test_a_batch_ingest_stores_each_new_event_once_in_order_and_delivers_it(
    gw: httpx.AsyncClient, receiver: Receiver
) -> None:
    """The outbox's batch (`EventBatchV1`): one request, one transaction; repeats skipped; only services."""
    await subscribe(gw, receiver, partner("app-backend"))
    first = claim_event(EventType.CLAIM_APPROVED, new_claim_id(), "05")
    assert await ingest(gw, first) is True
    batch = [first] + [claim_event(EventType.CLAIM_APPROVED, new_claim_id(), "05") for _ in range(4)]
    body = {"events": [e.model_dump(mode="json") for e in batch]}
    response = await gw.post("/internal/v1/events", json=body, headers=SERVICE)
    assert response.status_code == 202, response.text
    assert response.json() == {"stored": 4}, "the event already stored is skipped"
    again = await gw.post("/internal/v1/events", json=body, headers=SERVICE)
    assert again.json() == {"stored": 0}
    feed = (await gw.get("/api/v1/events", headers=partner("app-backend"))).json()
    assert [item["id"] for item in feed["items"]] == [e.id for e in batch], (
        "stored once each, in the order sent"
    )
    await eventually(lambda: len(receiver.accepted) >= len(batch), "every event of the batch delivered")
    assert sorted(receiver.ids) == sorted(e.id for e in batch)
    assert (await gw.post("/internal/v1/events", json=body, headers=partner("app"))).status_code == 403
    empty = await gw.post("/internal/v1/events", json={"events": []}, headers=SERVICE)
    assert empty.status_code == 422 and "events" in str(empty.json()["errors"][0]["loc"])
