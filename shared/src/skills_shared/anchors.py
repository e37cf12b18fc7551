"""Signed checkpoints of the audit chains' heads, kept outside the database (issue 20, item 5; CR-7).

The hash chain alone proves that no row was altered *between* two rows it still holds. It cannot see its own
newest rows cut off, a whole chain deleted, or a suffix rewritten with every later hash recomputed: each of these
leaves a chain that links. A checkpoint fixes, for every chain, its row count, last row id and last hash at one
moment, signed with an Ed25519 key the database never holds, and appended to a store the database role cannot
write (a local append-only file by default; an object store with retention lock behind the same interface). The
verifier then compares the rows it finds with the newest checkpoint of each chain and names what is gone.

What a checkpoint cannot protect: rows written after it, until the next one. ``audit_anchor_interval_s`` bounds
that window.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import orjson
import structlog
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from skills_shared.db.tables import audit_log
from skills_shared.hashing import canonical_json

log = structlog.get_logger(__name__)


class AnchorStore(Protocol):
    """An append-only place for checkpoints: lines can be added and read, never changed."""

    def append(self, line: bytes) -> None: ...

    def lines(self) -> list[bytes]: ...


class LocalAnchorStore:
    """One append-only file per service in a directory the database server's account cannot write.

    Opened with ``O_APPEND`` for every write; in production the directory belongs to another account or sits on
    a volume mounted append-only (``chattr +a``), so even this process can only add to it.
    """

    def __init__(self, directory: Path, service: str) -> None:
        self.path = Path(directory) / f"{service}.checkpoints.jsonl"

    def append(self, line: bytes) -> None:
        """Add one line and flush it to disk before returning: a checkpoint that is reported exists."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, line.rstrip(b"\n") + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)

    def lines(self) -> list[bytes]:
        """Every checkpoint line written so far, oldest first."""
        if not self.path.exists():
            return []
        return [line for line in self.path.read_bytes().splitlines() if line.strip()]


class Signer:
    """An Ed25519 key from a base64 32-byte seed; the public half verifies checkpoints."""

    def __init__(self, seed_b64: str) -> None:
        seed = base64.b64decode(seed_b64, validate=True)
        if len(seed) != 32:
            raise ValueError("audit_anchor_key must be 32 bytes, base64-encoded")
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public: Ed25519PublicKey = self._key.public_key()
        self.key_id = self.public.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()[:16]

    def sign(self, payload: bytes) -> str:
        return base64.b64encode(self._key.sign(payload)).decode()

    def verifies(self, payload: bytes, signature_b64: str) -> bool:
        try:
            self.public.verify(base64.b64decode(signature_b64), payload)
        except (InvalidSignature, ValueError):
            return False
        return True


async def chain_heads(session: AsyncSession) -> dict[int, dict[str, Any]]:
    """Each chain's row count, last row id and last hash, as the database holds them now."""
    last = (
        select(audit_log.c.chain, func.count().label("rows"), func.max(audit_log.c.id).label("last_id"))
        .group_by(audit_log.c.chain)
        .subquery()
    )
    rows = (
        await session.execute(
            select(last.c.chain, last.c.rows, last.c.last_id, audit_log.c.hash).join(
                audit_log, audit_log.c.id == last.c.last_id
            )
        )
    ).all()
    return {
        int(chain): {"rows": int(count), "last_id": int(last_id), "hash": bytes(digest).hex()}
        for chain, count, last_id, digest in rows
    }


def _payload(body: dict[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in body.items() if k != "signature"})


async def write_checkpoint(
    session: AsyncSession, store: AnchorStore, signer: Signer, service: str
) -> dict[str, Any] | None:
    """Sign and append the current heads, unless they equal the last checkpoint's (nothing new to anchor).

    Nothing is written while the rows disagree with an earlier checkpoint: the damage stays reported.
    """
    _, findings = await anchor_findings(session, store, signer)
    if findings:
        # Anchoring the damaged state would make the next verification compare with it and see nothing amiss.
        log.error("audit_anchor_mismatch", findings=findings)
        return None
    heads = await chain_heads(session)
    previous = read_checkpoints(store, signer)
    if previous and previous[-1].heads == heads:
        return None
    body: dict[str, Any] = {
        "service": service,
        "seq": (previous[-1].seq + 1) if previous else 1,
        "at": datetime.now(UTC).isoformat(),
        "key_id": signer.key_id,
        "heads": {str(chain): head for chain, head in sorted(heads.items())},
    }
    body["signature"] = signer.sign(_payload(body))
    store.append(orjson.dumps(body))
    return body


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint line as read back; ``valid`` is False when its signature does not verify."""

    seq: int
    heads: dict[int, dict[str, Any]]
    valid: bool


def read_checkpoints(store: AnchorStore, signer: Signer) -> list[Checkpoint]:
    """Every checkpoint in the store, each with its signature checked."""
    found = []
    for number, line in enumerate(store.lines(), start=1):
        try:
            body = orjson.loads(line)
            heads = {int(chain): dict(head) for chain, head in body["heads"].items()}
            valid = signer.verifies(_payload(body), body["signature"])
            found.append(Checkpoint(int(body["seq"]), heads, valid))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
            found.append(Checkpoint(-number, {}, False))
    return found


async def anchor_findings(
    session: AsyncSession, store: AnchorStore, signer: Signer
) -> tuple[int | None, list[str]]:
    """Compare the rows with the newest checkpoint of each chain; every finding names the chain and what is gone.

    Returns the newest checkpoint's number and the findings (empty when every anchored row is still there,
    unchanged). The newest anchored row's hash covers every row before it, so one comparison per chain suffices
    once the chain itself links.
    """
    checkpoints = read_checkpoints(store, signer)
    findings = [
        f"checkpoint {c.seq if c.seq > 0 else f'line {-c.seq}'}: signature does not verify"
        for c in checkpoints
        if not c.valid
    ]
    newest: dict[int, tuple[int, dict[str, Any]]] = {}
    for checkpoint in checkpoints:
        if checkpoint.valid:
            for chain, head in checkpoint.heads.items():
                newest[chain] = (checkpoint.seq, head)
    for chain, (seq, head) in sorted(newest.items()):
        count, anchored_row = (
            await session.execute(
                select(
                    func.count(),
                    select(audit_log.c.hash)
                    .where(audit_log.c.chain == chain, audit_log.c.id == head["last_id"])
                    .scalar_subquery(),
                ).where(audit_log.c.chain == chain, audit_log.c.id <= head["last_id"])
            )
        ).one()
        gone = int(head["rows"]) - int(count)
        if count == 0:
            findings.append(f"chain {chain}: all {head['rows']} rows recorded in checkpoint {seq} are gone")
        elif gone > 0:
            findings.append(
                f"chain {chain}: {gone} rows up to id {head['last_id']} recorded in checkpoint {seq} are gone"
            )
        elif anchored_row is None or bytes(anchored_row).hex() != head["hash"]:
            findings.append(
                f"chain {chain}: rows up to id {head['last_id']} were rewritten after checkpoint {seq} "
                "(the anchored hash differs)"
            )
    return (checkpoints[-1].seq if checkpoints else None), findings


class CheckpointLoop:
    """Writes a checkpoint every ``interval_s`` seconds while the service runs (started by the app's lifespan)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        store: AnchorStore,
        signer: Signer,
        service: str,
        interval_s: float,
    ) -> None:
        self._sessionmaker, self._store, self._signer = sessionmaker, store, signer
        self._service, self._interval_s = service, interval_s
        self._task: asyncio.Task[None] | None = None

    async def once(self) -> dict[str, Any] | None:
        """One checkpoint now (what the loop does each interval; tests and `make` targets call it directly)."""
        async with self._sessionmaker() as session:
            return await write_checkpoint(session, self._store, self._signer, self._service)

    async def _run(self) -> None:
        while True:
            try:
                await self.once()
            except Exception:  # a failed checkpoint is retried next interval; the service keeps serving
                log.exception("audit_checkpoint_failed")
            await asyncio.sleep(self._interval_s)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="audit-checkpoints")

    async def stop(self) -> None:
        """Stop the loop; rows written since the last checkpoint are anchored at the next start."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
