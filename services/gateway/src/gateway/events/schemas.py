"""Bodies and answers of the partner event routes (subscriptions, replay, delivery log)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from skills_shared.contracts.v1.events import EventType

CODE = r"^[0-9A-Za-z]{1,20}$"


class EventFilterV1(BaseModel):
    """Narrows what a subscription receives; never widens what the partner's token may see."""

    model_config = ConfigDict(extra="forbid")

    district_code: str | None = Field(default=None, pattern=CODE, description="Only this district's objects.")
    body_code: str | None = Field(
        default=None, pattern=CODE, description="Only this evaluation body's objects."
    )
    policy: str | None = Field(
        default=None, pattern=r"^[a-z0-9-]{1,40}$", description="Only claims under this policy (cq-eval, …)."
    )


class SubscriptionCreateV1(BaseModel):
    """Register a webhook endpoint."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://partner.example.cn/hooks/skills",
                    "event_types": ["certificate.issued", "claim.paid"],
                    "filter": {"district_code": "05"},
                    "description": "APP 后端",
                }
            ]
        },
    )

    url: str = Field(
        min_length=8, max_length=2000, description="HTTPS (http on loopback outside production)."
    )
    event_types: list[EventType] = Field(min_length=1, max_length=len(EventType))
    filter: EventFilterV1 = Field(default_factory=EventFilterV1)
    description: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _distinct_types(self) -> SubscriptionCreateV1:
        if len(set(self.event_types)) != len(self.event_types):
            raise ValueError("event_types 中有重复的事件类型")
        return self


class SubscriptionUpdateV1(BaseModel):
    """Change a subscription; ``enabled: true`` re-enables an endpoint that was disabled after failures."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"enabled": True}]})

    url: str | None = Field(default=None, min_length=8, max_length=2000)
    event_types: list[EventType] | None = Field(default=None, min_length=1, max_length=len(EventType))
    filter: EventFilterV1 | None = None
    enabled: bool | None = None


class SubscriptionV1(BaseModel):
    """A subscription as its partner reads it (never with its secret)."""

    id: uuid.UUID
    url: str
    event_types: list[EventType]
    filter: EventFilterV1
    description: str | None
    status: Literal["active", "disabled"]
    disabled_reason: str | None = Field(description="Why deliveries stopped, in Chinese; null while active.")
    disabled_at: datetime | None
    created_at: datetime


class SubscriptionCreatedV1(SubscriptionV1):
    """The answer of a registration: the only time the signing secret is shown."""

    secret: str = Field(description="Standard Webhooks secret (whsec_…); shown once, store it now.")


class SecretRotatedV1(BaseModel):
    """A new signing secret, shown once; the old one also signs until ``previous_secret_valid_until``."""

    secret: str
    previous_secret_valid_until: datetime | None


class ReplayRequestV1(BaseModel):
    """Resend every event of a time range (by the time the suite recorded it) that the subscription matches."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"since": "2026-12-07T00:00:00Z", "until": "2026-12-07T12:00:00Z"}]},
    )

    since: datetime
    until: datetime

    @model_validator(mode="after")
    def _ordered(self) -> ReplayRequestV1:
        if self.since.tzinfo is None or self.until.tzinfo is None:
            raise ValueError("since 和 until 须带时区")
        if self.until <= self.since:
            raise ValueError("until 须晚于 since")
        return self


class ReplayAcceptedV1(BaseModel):
    queued: int = Field(description="Events queued for delivery again, in their original order.")


class DeliveryAttemptV1(BaseModel):
    """One attempt to deliver one event to the subscription's endpoint."""

    event_id: str
    event_type: EventType
    attempt: int
    at: datetime
    outcome: Literal["delivered", "failed", "gave_up"]
    status_code: int | None
    error: str | None
    duration_ms: int
