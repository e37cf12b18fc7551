"""Where the signing key comes from: the REGISTRY_SIGNING_KEY_SEED setting, else one kept in the database."""

from __future__ import annotations

import base64
import binascii

from sqlalchemy import func, select
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
    """Development: the first start generates a key; every later start (and every worker) reads the newest one."""
    candidate = SigningKey.generate()
    seed = candidate.private.private_bytes_raw()
    async with engine.begin() as connection:
        await connection.execute(
            insert(SigningKeyRow).values(id=1, key_id=candidate.key_id, seed=seed).on_conflict_do_nothing()
        )
        stored = (
            await connection.execute(select(SigningKeyRow.seed).order_by(SigningKeyRow.id.desc()).limit(1))
        ).scalar_one()
    return SigningKey.from_seed(stored)


async def rotate_development_key(engine: AsyncEngine) -> SigningKey:
    """Development rotation: a new newest row signs from the next start on; the old key stays published.

    Production rotates by setting a new REGISTRY_SIGNING_KEY_SEED and restarting; see the service README."""
    key = SigningKey.generate()
    async with engine.begin() as connection:
        newest = (await connection.execute(select(func.coalesce(func.max(SigningKeyRow.id), 0)))).scalar_one()
        await connection.execute(
            insert(SigningKeyRow).values(
                id=newest + 1, key_id=key.key_id, seed=key.private.private_bytes_raw()
            )
        )
    return key
