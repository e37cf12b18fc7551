"""Append-only, hash-chained audit log (全程留痕, CR-7) and its verifier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from fastapi.encoders import jsonable_encoder
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from skills_shared.auth import Principal
from skills_shared.db.tables import audit_log
from skills_shared.hashing import canonical_json, sha256

GENESIS = b"\x00" * 32
_CHAIN_LOCK = 0x5A0D17  # one transaction at a time extends the chain; held only until commit


def _digest(prev_hash: bytes, row: dict[str, Any]) -> bytes:
    """Hash of a row's content chained to its predecessor; any change to either breaks every later link."""
    content = {
        "at": row["at"].astimezone(UTC).isoformat(),
        "actor": row["actor"],
        "actor_role": row["actor_role"],
        "action": row["action"],
        "entity_type": row["entity_type"],
        "entity_id": row["entity_id"],
        "request_id": row["request_id"],
        "before": row["before"],
        "after": row["after"],
    }
    return sha256(prev_hash + canonical_json(content))


async def record(
    session: AsyncSession,
    *,
    actor: Principal | str,
    action: str,
    entity_type: str,
    entity_id: str,
    before: Any = None,
    after: Any = None,
) -> None:
    """Append one audit row in the caller's transaction.

    The chain is serialised by a transaction-scoped advisory lock, so call this as late as possible in the unit of
    work: the lock is held until commit.
    """
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    row: dict[str, Any] = {
        "at": datetime.now(UTC),
        "actor": actor.sub if isinstance(actor, Principal) else actor,
        "actor_role": actor.role.value if isinstance(actor, Principal) else "system",
        "action": action,
        "entity_type": entity_type,
        "entity_id": str(entity_id),
        "request_id": request_id,
        "before": jsonable_encoder(before) if before is not None else None,
        "after": jsonable_encoder(after) if after is not None else None,
    }
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})
    last = (await session.execute(select(audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1))).scalar()
    prev = last if last is not None else GENESIS
    await session.execute(insert(audit_log).values(**row, prev_hash=prev, hash=_digest(prev, row)))


@dataclass(frozen=True)
class ChainReport:
    """What the verifier found: every row checked, or the first link that does not hold."""

    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str | None = None


async def verify_chain(session: AsyncSession, *, batch: int = 5000) -> ChainReport:
    """Recompute every link in id order; report the first row whose content or link was altered."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = (
            (
                await session.execute(
                    select(audit_log).where(audit_log.c.id > last_id).order_by(audit_log.c.id).limit(batch)
                )
            )
            .mappings()
            .all()
        )
        if not rows:
            return ChainReport(ok=True, checked=checked)
        for row in rows:
            if row["prev_hash"] != prev:
                return ChainReport(
                    False, checked, row["id"], "prev_hash does not match the previous row's hash"
                )
            if _digest(prev, dict(row)) != row["hash"]:
                return ChainReport(False, checked, row["id"], "row content does not match its hash")
            prev = row["hash"]
            checked += 1
            last_id = row["id"]
