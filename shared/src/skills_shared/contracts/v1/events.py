"""Domain events, version 1: what a service records when something a partner cares about happens.

Producers (certificate-registry, subsidy-claims, voucher, org-filing) build a :class:`DomainEventV1` in the
transaction of the change and hand it to ``skills_shared.events.record``, which writes it to the service's
outbox. The gateway ingests it (``POST /internal/v1/events/{resource_type}/{resource_id}``), keeps it for the
pull feed and fans it out to partner subscriptions, which receive exactly this document as the webhook body.

Every event says *what happened to which public object, where*: the type, a stable ``id`` (the webhook-id a
receiver deduplicates on), when it happened, the resource's public ID and the district / body / policy that
partners filter on and that the gateway's object checks read. ``data`` is the minimum a partner needs to act,
never more: ID numbers are masked exactly as in public answers (``mask_resident_id``), no names, no accounts.

Adding a field to a payload is compatible; renaming or removing one needs ``v2`` (``version`` says which).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

EVENTS_TARGET = "events"
"""The outbox target (client name) under which every service sends its events to the gateway."""

INGEST_PATH = "/internal/v1/events"
"""Prefix of the gateway's ingest route; the outbox path adds ``/{resource_type}/{resource_id}`` so that the
outbox's per-path order is the per-resource order partners are promised."""


class EventType(StrEnum):
    """Every event type of version 1; a subscription names the ones it wants."""

    CERTIFICATE_ISSUED = "certificate.issued"
    CERTIFICATE_REVOKED = "certificate.revoked"
    CLAIM_APPROVED = "claim.approved"
    CLAIM_REJECTED = "claim.rejected"
    CLAIM_PUBLISHED = "claim.published"
    CLAIM_PAID = "claim.paid"
    CLAIM_CLAWED_BACK = "claim.clawed_back"
    VOUCHER_CLAIMED = "voucher.claimed"
    VOUCHER_REDEEMED = "voucher.redeemed"
    VOUCHER_LAPSED = "voucher.lapsed"
    BODY_FILED = "body.filed"
    BODY_CANCELLED = "body.cancelled"

    @property
    def resource_type(self) -> str:
        """``certificate``, ``claim``, ``voucher`` or ``body``: the part before the dot."""
        return self.value.split(".", 1)[0]


EVENT_TYPES_ZH: dict[EventType, str] = {
    EventType.CERTIFICATE_ISSUED: "证书已发放",
    EventType.CERTIFICATE_REVOKED: "证书已撤销",
    EventType.CLAIM_APPROVED: "补贴申请审核通过",
    EventType.CLAIM_REJECTED: "补贴申请未通过",
    EventType.CLAIM_PUBLISHED: "补贴申请进入公示",
    EventType.CLAIM_PAID: "补贴已发放",
    EventType.CLAIM_CLAWED_BACK: "补贴已追回",
    EventType.VOUCHER_CLAIMED: "培训券已领取",
    EventType.VOUCHER_REDEEMED: "培训券已核销",
    EventType.VOUCHER_LAPSED: "培训券已失效",
    EventType.BODY_FILED: "评价机构已备案",
    EventType.BODY_CANCELLED: "评价机构备案已注销",
}
"""What each type means, in Chinese, for the documentation partners read."""


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CertificateEventData(_Data):
    """A certificate issued or revoked: the number a partner looks it up by, and what it certifies."""

    kind: Literal["certificate"] = "certificate"
    certificate_number: str
    holder_id_number: str = Field(description="Masked as in public answers: 500***********123X.")
    occupation_code: str | None = None
    level: int | None = None
    issued_on: date | None = None
    reason: str | None = Field(default=None, description="Why it was revoked (certificate.revoked).")


class ClaimEventData(_Data):
    """A subsidy claim decided, published, paid or clawed back."""

    kind: Literal["claim"] = "claim"
    status: str
    applicant_id_number: str = Field(description="Masked as in public answers.")
    amount_fen: int | None = None
    reason: str | None = Field(default=None, description="Why it was rejected or clawed back.")


class VoucherEventData(_Data):
    """A training voucher claimed, redeemed or lapsed."""

    kind: Literal["voucher"] = "voucher"
    status: str
    holder_id_number: str = Field(description="Masked as in public answers.")
    type_code: str | None = None
    year: int | None = None
    institution_code: str | None = Field(default=None, description="Who redeemed it (voucher.redeemed).")
    reason: str | None = Field(default=None, description="Why it lapsed (voucher.lapsed).")


class BodyEventData(_Data):
    """An evaluation body filed or cancelled: its public filing facts."""

    kind: Literal["body"] = "body"
    name: str
    status: str
    valid_to: date | None = None
    reason: str | None = Field(default=None, description="Why it was cancelled (body.cancelled).")


EventData = Annotated[
    CertificateEventData | ClaimEventData | VoucherEventData | BodyEventData, Field(discriminator="kind")
]


class DomainEventV1(BaseModel):
    """One domain event, as stored, pulled from ``GET /api/v1/events`` and sent as a webhook body."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "evt_3f1c0e6b2d7a4c1e9b8f5a6d7c8e9f00",
                    "version": "1",
                    "type": "claim.paid",
                    "occurred_at": "2026-12-07T10:00:00Z",
                    "resource_id": "6a1f0b9e-2c3d-4e5f-8a9b-0c1d2e3f4a5b",
                    "district_code": "05",
                    "body_code": None,
                    "policy": "cq-eval",
                    "data": {
                        "kind": "claim",
                        "status": "paid",
                        "applicant_id_number": "500***********123X",
                        "amount_fen": 50000,
                        "reason": None,
                    },
                }
            ]
        },
    )

    id: str = Field(
        min_length=1, max_length=64, description="Stable; the webhook-id receivers deduplicate on."
    )
    version: Literal["1"] = "1"
    type: EventType
    occurred_at: datetime
    resource_id: str = Field(min_length=1, max_length=200, description="The resource's public ID.")
    district_code: str | None = Field(default=None, description="District the object belongs to (filter).")
    body_code: str | None = Field(default=None, description="Evaluation body concerned (filter).")
    policy: str | None = Field(default=None, description="Subsidy policy (filter), claims only.")
    data: EventData

    @property
    def resource_type(self) -> str:
        return self.type.resource_type


def new_event_id() -> str:
    """A fresh event ID; fixed once the event is written, so every retry and replay carries the same one."""
    return f"evt_{uuid.uuid4().hex}"


def event_body(event: DomainEventV1) -> dict[str, Any]:
    """The JSON document of an event (outbox body, stored payload, webhook body)."""
    return event.model_dump(mode="json")


INGEST_BATCH_MAX = 200
"""Events per batch ingest; the outbox sends at most its batch size (64) at once."""


class EventBatchV1(BaseModel):
    """Several events in one ingest (``POST /internal/v1/events``), ingested in the order given.

    The outbox sends only the earliest pending event of each resource in one batch, so the events of a batch are
    about different resources and their order among themselves promises nothing; each resource's own events still
    arrive one after another. An event already stored (a retry) is skipped, as by the single ingest.
    """

    model_config = ConfigDict(extra="forbid")

    events: list[DomainEventV1] = Field(min_length=1, max_length=INGEST_BATCH_MAX)


class EventFeedV1(BaseModel):
    """A page of the pull feed: events after the cursor, oldest first, and the cursor to ask with next."""

    items: list[DomainEventV1]
    next_cursor: str = Field(description="Pass as ``after`` to continue; unchanged when nothing new arrived.")
