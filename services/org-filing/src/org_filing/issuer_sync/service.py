"""Enqueue the body's issuer record for the registry in the caller's transaction (transactional outbox)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from org_filing.bodies.events import record_body_event
from org_filing.bodies.models import Body, BodyScope
from org_filing.issuer_sync.rules import ISSUER_TARGET, ScopeItem, issuer_body, issuer_path
from skills_shared.outbox import enqueue

#: Events that matter to issuing (the registry must know who may issue what, and until when).
ISSUER_EVENTS = frozenset(
    {"filed", "scope_changed", "suspended", "reinstated", "cancelled", "merged", "extended"}
)


def scope_items(scopes: Sequence[BodyScope]) -> list[ScopeItem]:
    return [
        ScopeItem(s.occupation_code, s.occupation_name, tuple(s.work_types), tuple(s.levels)) for s in scopes
    ]


async def enqueue_issuer_update(
    session: AsyncSession,
    body: Body,
    scopes: Sequence[BodyScope],
    event: str,
    *,
    merged_into: str | None = None,
) -> str:
    """One message per change, each with its own key; the PUT carries the whole record so replays converge."""
    if event not in ISSUER_EVENTS:
        raise ValueError(f"unknown issuer event {event}")
    key = f"org-filing:issuer:{body.code}:{event}:{uuid.uuid4().hex}"
    await enqueue(
        session,
        target=ISSUER_TARGET,
        method="PUT",
        path=issuer_path(body.code),
        body=issuer_body(
            name=body.name,
            status=body.status,
            scope=scope_items(scopes),
            level_scope=body.level_scope,
            valid_from=body.valid_from,
            valid_to=body.valid_to,
            merged_into=merged_into,
        ).model_dump(mode="json", exclude_none=True),
        key=key,
    )
    await record_body_event(session, event, body)
    return key
