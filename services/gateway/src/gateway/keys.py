"""Per-hop Idempotency-Keys derived from the client's key, so a retried workflow completes exactly once.

The client sends one key for the whole workflow; every downstream write gets ``<key>:<step>``. A retry after a
failure half-way replays the steps that already happened (the services return their stored answers) and runs
only the missing ones. Keys longer than the services accept are shortened to a digest, keeping them stable.
"""

from __future__ import annotations

import hashlib
import uuid

MAX_KEY_LENGTH = 200
"""What ``skills_shared.idempotency`` accepts."""


def hop_key(client_key: str | None, step: str) -> str | None:
    """The key of one downstream write, or None when the client sent none (the write is then not retried)."""
    if client_key is None:
        return None
    derived = f"{client_key}:{step}"
    if len(derived) <= MAX_KEY_LENGTH:
        return derived
    digest = hashlib.sha256(client_key.encode("utf-8")).hexdigest()
    return f"gw-{digest}:{step}"[:MAX_KEY_LENGTH]


def workflow_key(client_key: str | None) -> str:
    """The key a workflow derives its hop keys from: the client's, or a fresh one for this request alone.

    Without a client key a retry by the client is a new workflow, but the gateway's own retries of one hop stay
    safe, and services that require a key (money and legal status) still get one.
    """
    return client_key if client_key is not None else f"gw-{uuid.uuid4().hex}"
