"""Routes of partner events: ingest from the services, the pull feed, subscriptions, replay and the delivery log.

The router's lifespan runs the webhook delivery loop (``GATEWAY_EVENTS_DELIVERY_ENABLED``), so including the
router is all the application factory does.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Path, Query, Request
from sqlalchemy.engine import RowMapping

from gateway.events import cursor, store
from gateway.events.delivery import WebhookDelivery
from gateway.events.endpoints import url_problem
from gateway.events.schemas import (
    DeliveryAttemptV1,
    EventFilterV1,
    ReplayAcceptedV1,
    ReplayRequestV1,
    SecretRotatedV1,
    SubscriptionCreatedV1,
    SubscriptionCreateV1,
    SubscriptionUpdateV1,
    SubscriptionV1,
)
from gateway.events.settings import EventSettings
from gateway.events.signing import new_secret
from gateway.events.visibility import Filter, Scope
from skills_shared.auth import Principal, Role, require
from skills_shared.contracts.v1.events import DomainEventV1, EventBatchV1, EventFeedV1, EventType
from skills_shared.contracts.v1.pagination import Page, PageDep
from skills_shared.db import ReadSessionDep, SessionDep, database_of
from skills_shared.problems import Problem, problem_responses
from skills_shared.refusals import Refusal

FEED_MAX = 500


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = EventSettings()
    delivery = WebhookDelivery(app.state.db.sessionmaker, settings)
    app.state.webhooks = delivery
    if settings.delivery_enabled:
        delivery.start()
    try:
        yield
    finally:
        await delivery.stop()


router = APIRouter(tags=["events"], lifespan=_lifespan)

PartnerDep = Annotated[Principal, Depends(require(Role.PARTNER))]
ServiceDep = Annotated[Principal, Depends(require(Role.SERVICE))]
SubscriptionId = Annotated[uuid.UUID, Path(description="The subscription's ID.")]


def _out(row: RowMapping) -> dict[str, Any]:
    return {
        "id": row["id"],
        "url": row["url"],
        "event_types": row["event_types"],
        "filter": EventFilterV1(
            district_code=row["filter_district"], body_code=row["filter_body"], policy=row["filter_policy"]
        ),
        "description": row["description"],
        "status": row["status"],
        "disabled_reason": row["disabled_reason"],
        "disabled_at": row["disabled_at"],
        "created_at": row["created_at"],
    }


def _check_url(request: Request, url: str) -> None:
    production = request.app.state.settings.environment == "production"
    why = url_problem(url, production=production)
    if why is not None:
        raise Refusal(None, "webhook_url_not_allowed", why, field=("body", "url"))


def _check_filter(principal: Principal, filter_: EventFilterV1) -> None:
    """A filter may narrow the token's scope, never point outside it (it would silently receive nothing)."""
    if principal.district and filter_.district_code not in (None, principal.district):
        raise Refusal(
            None,
            "filter_outside_scope",
            f"令牌仅限区县 {principal.district}，不能订阅其他区县的事件",
            field=("body", "filter", "district_code"),
            status=403,
        )
    if principal.body and filter_.body_code not in (None, principal.body):
        raise Refusal(
            None,
            "filter_outside_scope",
            f"令牌仅限评价机构 {principal.body}，不能订阅其他机构的事件",
            field=("body", "filter", "body_code"),
            status=403,
        )


async def _owned(session: Any, principal: Principal, subscription_id: uuid.UUID, **kw: Any) -> RowMapping:
    row = await store.subscription(session, principal.key, subscription_id, **kw)
    if row is None:
        raise Problem(404, "subscription_not_found", "订阅不存在")
    return row


# --- ingest (services → gateway) ---------------------------------------------------------------------------------


@router.post(
    "/internal/v1/events/{resource_type}/{resource_id}",
    operation_id="events.ingest",
    status_code=202,
    include_in_schema=False,
)
async def ingest_event(
    request: Request,
    resource_type: str,
    resource_id: str,
    event: DomainEventV1,
    _service: ServiceDep,
) -> dict[str, bool]:
    """Store an event once and queue its deliveries, committed before the 202 (the outbox then closes its row)."""
    if resource_type != event.resource_type or resource_id != event.resource_id:
        raise Refusal(None, "event_path_mismatch", "事件的资源与路径不一致", field=("path", "resource_id"))
    async with database_of(request).sessionmaker() as session, session.begin():
        stored = await store.ingest(session, event)
    if stored:
        request.app.state.webhooks.wake()
    return {"stored": stored}


@router.post(
    "/internal/v1/events",
    operation_id="events.ingest_batch",
    status_code=202,
    include_in_schema=False,
)
async def ingest_events(request: Request, batch: EventBatchV1, _service: ServiceDep) -> dict[str, int]:
    """Store many events in one transaction (the outbox's batch of resources' earliest events); how many were
    new. A repeat of an event already stored is skipped, as by the single ingest."""
    async with database_of(request).sessionmaker() as session, session.begin():
        stored = await store.ingest_many(session, batch.events)
    if stored:
        request.app.state.webhooks.wake()
    return {"stored": stored}


# --- pull ----------------------------------------------------------------------------------------------------------


@router.get(
    "/api/v1/events",
    operation_id="events.feed",
    response_model=EventFeedV1,
    summary="Events after a cursor, oldest first, filtered as a subscription would be (partners)",
    responses=problem_responses(401, 403, 422, 429),
)
async def event_feed(
    principal: PartnerDep,
    session: ReadSessionDep,
    after: Annotated[
        str | None, Query(max_length=40, description="The next_cursor of the previous page; omit to start.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=FEED_MAX, description="Events per page.")] = 100,
    types: Annotated[
        list[EventType] | None, Query(description="Only these types (repeat the parameter).")
    ] = None,
    district_code: Annotated[str | None, Query(pattern=r"^[0-9A-Za-z]{1,20}$")] = None,
    body_code: Annotated[str | None, Query(pattern=r"^[0-9A-Za-z]{1,20}$")] = None,
    policy: Annotated[str | None, Query(pattern=r"^[a-z0-9-]{1,40}$")] = None,
) -> EventFeedV1:
    """The cursor is the position in the gateway's own event table: it survives restarts and never skips."""
    position = 0
    if after is not None:
        decoded = cursor.decode(after)
        if decoded is None:
            raise Refusal(
                None, "invalid_cursor", "游标无效，请使用上一页返回的 next_cursor", field=("query", "after")
            )
        position = decoded
    filter_ = Filter(
        types=frozenset(t.value for t in types) if types else None,
        district=district_code,
        body=body_code,
        policy=policy,
    )
    rows = await store.feed(session, Scope.of(principal), filter_, position, limit)
    last = rows[-1]["seq"] if rows else position
    return EventFeedV1(
        items=[DomainEventV1.model_validate(r["payload"]) for r in rows], next_cursor=cursor.encode(last)
    )


# --- subscriptions -------------------------------------------------------------------------------------------------


@router.post(
    "/api/v1/events/subscriptions",
    operation_id="events.subscribe",
    status_code=201,
    response_model=SubscriptionCreatedV1,
    summary="Register a webhook endpoint; the signing secret is in this answer only",
    responses=problem_responses(401, 403, 422, 429),
)
async def subscribe(
    request: Request, principal: PartnerDep, session: SessionDep, body: SubscriptionCreateV1
) -> SubscriptionCreatedV1:
    _check_url(request, body.url)
    _check_filter(principal, body.filter)
    secret = new_secret()
    row = await store.create_subscription(
        session,
        {
            "id": uuid.uuid4(),
            "owner": principal.key,
            "owner_district": principal.district,
            "owner_body": principal.body,
            "url": body.url,
            "description": body.description,
            "event_types": [t.value for t in body.event_types],
            "filter_district": body.filter.district_code,
            "filter_body": body.filter.body_code,
            "filter_policy": body.filter.policy,
            "secret": secret,
        },
    )
    return SubscriptionCreatedV1(**_out(row), secret=secret)


@router.get(
    "/api/v1/events/subscriptions",
    operation_id="events.subscriptions",
    response_model=Page[SubscriptionV1],
    summary="The partner's own subscriptions",
    responses=problem_responses(401, 403, 422, 429),
)
async def list_subscriptions(
    principal: PartnerDep, session: ReadSessionDep, page: PageDep
) -> Page[SubscriptionV1]:
    rows, total = await store.subscriptions_of(session, principal.key, page.offset, page.limit)
    return page.wrap([SubscriptionV1(**_out(r)) for r in rows], total)


@router.get(
    "/api/v1/events/subscriptions/{subscription_id}",
    operation_id="events.subscription",
    response_model=SubscriptionV1,
    summary="One subscription, with why it was disabled if it was",
    responses=problem_responses(401, 403, 404, 422, 429),
)
async def get_subscription(
    principal: PartnerDep, session: ReadSessionDep, subscription_id: SubscriptionId
) -> SubscriptionV1:
    return SubscriptionV1(**_out(await _owned(session, principal, subscription_id)))


@router.patch(
    "/api/v1/events/subscriptions/{subscription_id}",
    operation_id="events.update_subscription",
    response_model=SubscriptionV1,
    summary="Change the URL, types or filter; enabled: true re-enables a disabled endpoint",
    responses=problem_responses(401, 403, 404, 422, 429),
)
async def update_subscription(
    request: Request,
    principal: PartnerDep,
    session: SessionDep,
    subscription_id: SubscriptionId,
    body: SubscriptionUpdateV1,
) -> SubscriptionV1:
    row = await _owned(session, principal, subscription_id, for_update=True)
    values: dict[str, Any] = {}
    if body.url is not None:
        _check_url(request, body.url)
        values["url"] = body.url
    if body.event_types is not None:
        if len(set(body.event_types)) != len(body.event_types):
            raise Refusal(
                None, "validation_failed", "event_types 中有重复的事件类型", field=("body", "event_types")
            )
        values["event_types"] = [t.value for t in body.event_types]
    if body.filter is not None:
        _check_filter(principal, body.filter)
        values |= {
            "filter_district": body.filter.district_code,
            "filter_body": body.filter.body_code,
            "filter_policy": body.filter.policy,
        }
    now = datetime.now(UTC)
    if body.enabled is True and row["status"] == "disabled":
        values |= {"status": "active", "disabled_reason": None, "disabled_at": None}
        await store.wake_pending(session, subscription_id, now)
    elif body.enabled is False and row["status"] == "active":
        values |= {"status": "disabled", "disabled_reason": "合作方自行停用", "disabled_at": now}
    if values:
        row = await store.update_subscription(session, principal.key, subscription_id, values)
    return SubscriptionV1(**_out(row))


@router.delete(
    "/api/v1/events/subscriptions/{subscription_id}",
    operation_id="events.unsubscribe",
    response_model=SubscriptionV1,
    summary="Delete a subscription and its queue; answers the subscription as it was",
    responses=problem_responses(401, 403, 404, 429),
)
async def unsubscribe(
    principal: PartnerDep, session: SessionDep, subscription_id: SubscriptionId
) -> SubscriptionV1:
    row = await _owned(session, principal, subscription_id, for_update=True)
    await store.delete_subscription(session, principal.key, subscription_id)
    return SubscriptionV1(**_out(row))


@router.post(
    "/api/v1/events/subscriptions/{subscription_id}/secret",
    operation_id="events.rotate_secret",
    response_model=SecretRotatedV1,
    summary="Rotate the signing secret; the new one is shown once, the old one signs too for a grace period",
    responses=problem_responses(401, 403, 404, 429),
)
async def rotate_secret(
    principal: PartnerDep, session: SessionDep, subscription_id: SubscriptionId
) -> SecretRotatedV1:
    row = await _owned(session, principal, subscription_id, for_update=True)
    grace = EventSettings().secret_grace_s
    until = datetime.now(UTC) + timedelta(seconds=grace) if grace > 0 else None
    secret = new_secret()
    await store.update_subscription(
        session,
        principal.key,
        subscription_id,
        {
            "secret": secret,
            "previous_secret": row["secret"] if until else None,
            "previous_secret_until": until,
        },
    )
    return SecretRotatedV1(secret=secret, previous_secret_valid_until=until)


@router.post(
    "/api/v1/events/subscriptions/{subscription_id}/replay",
    operation_id="events.replay",
    status_code=202,
    response_model=ReplayAcceptedV1,
    summary="Resend the events of a time range the subscription matches, in their original order",
    responses=problem_responses(401, 403, 404, 422, 429),
)
async def replay(
    request: Request,
    principal: PartnerDep,
    session: SessionDep,
    subscription_id: SubscriptionId,
    body: Annotated[ReplayRequestV1, Body()],
) -> ReplayAcceptedV1:
    row = await _owned(session, principal, subscription_id, for_update=True)
    queued = await store.replay(session, row, body.since, body.until)
    await session.commit()
    request.app.state.webhooks.wake()
    return ReplayAcceptedV1(queued=queued)


@router.get(
    "/api/v1/events/subscriptions/{subscription_id}/deliveries",
    operation_id="events.deliveries",
    response_model=Page[DeliveryAttemptV1],
    summary="The subscription's delivery log, newest first: every attempt, its answer and how long it took",
    responses=problem_responses(401, 403, 404, 422, 429),
)
async def delivery_log(
    principal: PartnerDep, session: ReadSessionDep, subscription_id: SubscriptionId, page: PageDep
) -> Page[DeliveryAttemptV1]:
    await _owned(session, principal, subscription_id)
    rows, total = await store.attempt_log(session, subscription_id, page.offset, page.limit)
    return page.wrap([DeliveryAttemptV1.model_validate(dict(r)) for r in rows], total)
