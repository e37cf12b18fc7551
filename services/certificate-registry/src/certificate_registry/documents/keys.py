"""Where the signing key comes from: the REGISTRY_SIGNING_KEY_SEED setting, else one kept in the database."""

from __future__ import annotations

import base64
import binascii

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from certificate_registry.documents.models import SigningKeyRow
from certificate_registry.documents.signing import SigningKey


def key_from_setting(seed_b64: str) -> SigningKey:
    try:
        seed = base64.b64decode(seed_b64, validate=True)
    except binascii.Error as exc:
        raise ValueError("REGISTRY_SIGNING_KEY_SEED is not valid base64") from exc
    if len(seed) != 32:
        raise ValueError("REGISTRY_SIGNING_KEY_SEED must decode to 32 bytes")
    return SigningKey.from_seed(seed)


async def load_or_create_key(engine: AsyncEngine) -> SigningKey:
    """Development: the first start generates a key; every later start (and every worker) reads the same one."""
    candidate = SigningKey.generate()
    seed = candidate.private.private_bytes_raw()
    async with engine.begin() as connection:
        await connection.execute(
            insert(SigningKeyRow).values(id=1, key_id=candidate.key_id, seed=seed).on_conflict_do_nothing()
        )
        stored = (
            await connection.execute(select(SigningKeyRow.seed).where(SigningKeyRow.id == 1))
        ).scalar_one()
    return SigningKey.from_seed(stored)
