"""Append-only, hash-chained audit log (全程留痕, CR-7) and its verifier."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
import structlog
from fastapi.encoders import jsonable_encoder
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from skills_shared.anchors import AnchorStore, Signer, anchor_findings
from skills_shared.auth import Principal
from skills_shared.db.driver import driver_connection
from skills_shared.db.lean import LeanTx
from skills_shared.db.tables import audit_log
from skills_shared.hashing import canonical_json, sha256

GENESIS = b"\x00" * 32
CHAINS = 16
"""Parallel hash chains. One chain serialises every audited write of a service (its lock is held until commit);
sixteen let unrelated writes commit side by side while every row still sits in a verifiable chain."""
_CHAIN_LOCK = 0x5A0D17  # with the chain number: one transaction at a time extends a chain, until it commits
_SESSION_CHAIN = "skills_audit_chain"

# `audit_append()` (platform migration v3) takes the chain's transaction-scoped lock and then inserts the row
# chained to the chain's last committed one, with PostgreSQL computing sha256(prev || content): one round trip.
_APPEND = """
SELECT audit_append($1::int, $2::smallint, $3::bytea, $4::timestamptz, $5::text, $6::text, $7::text, $8::text,
                    $9::text, $10::text, $11::jsonb, $12::jsonb, $13::bytea)
"""


def chain_of(entity_type: str, entity_id: str) -> int:
    """The chain an entity's rows go to: stable, so one entity's history reads along one chain."""
    return sha256(f"{entity_type}\n{entity_id}".encode())[0] % CHAINS


def _content(row: dict[str, Any]) -> bytes:
    """The canonical bytes of a row's content: what its hash covers besides the previous hash."""
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
    if row.get("chain"):
        content["chain"] = row[
            "chain"
        ]  # rows from before chains existed (chain 0) keep their original digest
    return canonical_json(content)


def _digest(prev_hash: bytes, row: dict[str, Any]) -> bytes:
    """Hash of a row's content chained to its predecessor; any change to either breaks every later link."""
    return sha256(prev_hash + _content(row))


async def record(
    unit: AsyncSession | LeanTx,
    *,
    actor: Principal | str,
    action: str,
    entity_type: str,
    entity_id: str,
    before: Any = None,
    after: Any = None,
) -> None:
    """Append one audit row in the caller's transaction (a session's, or a hot path's `LeanTx`).

    A transaction writes all its rows to one chain (that of its first row's entity), under a transaction-scoped
    advisory lock on that chain: one lock per transaction means audit locks can never deadlock each other. Call
    this as late as possible in the unit of work: the lock is held until commit. A lean unit of work decides the
    chain here but sends the append with its other trailing writes, in its last statement before COMMIT.
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
    execute: Callable[..., Awaitable[Any]]
    if isinstance(unit, LeanTx):
        execute, memo, transaction = unit.write, unit.info, None
    else:
        # Pending ORM changes go first, as they would before any statement through the session: the audit
        # row follows the change it records, and a constraint the change breaks fails here, not at commit.
        await unit.flush()
        execute = (await driver_connection(unit)).execute
        memo, transaction = unit.info, unit.get_transaction()
    held = memo.get(_SESSION_CHAIN)
    if held is not None and held[1] is transaction:
        chain = held[0]  # this transaction already holds a chain's lock: stay on it (one lock, no deadlock)
    else:
        chain = chain_of(row["entity_type"], row["entity_id"])
        memo[_SESSION_CHAIN] = (chain, transaction)
    row["chain"] = chain
    # The function locks the chain, then inserts with a snapshot taken after the lock: the row follows the
    # chain's last committed row, and sha256(prev || content) is exactly what `_digest` recomputes. A lean unit of
    # work holds the call for its last round trip (`LeanTx.write`): the function's own INSERT still takes its
    # snapshot after the lock, inside that statement too, and the lock is then held only from there to COMMIT.
    await execute(
        _APPEND,
        _CHAIN_LOCK,
        chain,
        GENESIS,
        row["at"],
        row["actor"],
        row["actor_role"],
        row["action"],
        row["entity_type"],
        row["entity_id"],
        row["request_id"],
        None if row["before"] is None else orjson.dumps(row["before"]).decode(),
        None if row["after"] is None else orjson.dumps(row["after"]).decode(),
        _content(row),
    )


@dataclass(frozen=True)
class ChainReport:
    """What the verifier found: every row checked, or the lowest-numbered link that does not hold.

    ``heads`` gives each chain's last row id and hash: publishing them elsewhere (an anchor) makes even the
    removal of a chain's newest row detectable later.
    """

    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str | None = None
    heads: dict[int, dict[str, Any]] = field(default_factory=dict)
    checkpoint: int | None = None
    """The newest signed checkpoint compared with (None: no checkpoints kept or none written yet)."""
    missing: list[str] = field(default_factory=list)
    """What the checkpoints show is gone or rewritten, one line per chain (see `skills_shared.anchors`)."""


async def _verify_one(
    session: AsyncSession, chain: int, batch: int
) -> tuple[int, int | None, str | None, Any]:
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = (
            (
                await session.execute(
                    select(audit_log)
                    .where(audit_log.c.chain == chain, audit_log.c.id > last_id)
                    .order_by(audit_log.c.id)
                    .limit(batch)
                )
            )
            .mappings()
            .all()
        )
        if not rows:
            return checked, None, None, {"last_id": last_id, "hash": prev.hex()}
        for row in rows:
            if row["prev_hash"] != prev:
                return checked, row["id"], "prev_hash does not match the previous row's hash", None
            if _digest(prev, dict(row)) != row["hash"]:
                return checked, row["id"], "row content does not match its hash", None
            prev = row["hash"]
            checked += 1
            last_id = row["id"]


async def verify_chain(
    session: AsyncSession, *, batch: int = 5000, anchors: tuple[AnchorStore, Signer] | None = None
) -> ChainReport:
    """Recompute every link of every chain in id order; report the lowest id whose content or link was altered.

    With ``anchors`` (the service's checkpoint store and key), also compare each chain with its newest signed
    checkpoint: a cut tail, a deleted chain or a rewritten-and-rehashed suffix links perfectly, and only the
    checkpoint kept outside the database shows it.
    """
    chains = (await session.execute(select(audit_log.c.chain).distinct())).scalars().all()
    checked = 0
    broken: list[tuple[int, str]] = []
    heads: dict[int, dict[str, Any]] = {}
    for chain in sorted(chains):
        count, broken_id, reason, head = await _verify_one(session, chain, batch)
        checked += count
        if broken_id is not None and reason is not None:
            broken.append((broken_id, reason))
        else:
            heads[chain] = head
    checkpoint, missing = (None, []) if anchors is None else await anchor_findings(session, *anchors)
    if broken:
        first_id, reason = min(broken)
        return ChainReport(False, checked, first_id, reason, heads, checkpoint, missing)
    if missing:
        return ChainReport(False, checked, None, missing[0], heads, checkpoint, missing)
    return ChainReport(True, checked, heads=heads, checkpoint=checkpoint)
