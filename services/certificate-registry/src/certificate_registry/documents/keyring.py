"""The registry's keys and status slots in the database: published public keys, credential status slots.

A key is published the first time it signs anything (a credential, a QR link), so the JWKS always holds every key
a certificate in circulation may name, whether it came from REGISTRY_SIGNING_KEY_SEED or from the development row.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from certificate_registry.documents import status_list
from certificate_registry.documents.signing import SigningKey

_PUBLISH = text(
    "INSERT INTO published_signing_keys (key_id, public_key) VALUES (:kid, :raw) ON CONFLICT (key_id) DO NOTHING"
)
_PUBLISHED = text("SELECT key_id, public_key FROM published_signing_keys ORDER BY first_used_at, key_id")
_TAKE_SLOT = text(
    "INSERT INTO credential_status_entries (number) VALUES (:number) ON CONFLICT (number) DO NOTHING "
    "RETURNING list_index"
)
_SLOT = text("SELECT list_index FROM credential_status_entries WHERE number = :number")
_REVOKED = text(
    "SELECT e.list_index FROM credential_status_entries e JOIN certificates c ON c.number = e.number "
    "WHERE c.status = 'revoked' AND e.list_index >= :low AND e.list_index < :high"
)
_HIGHEST = text("SELECT coalesce(max(list_index), -1) FROM credential_status_entries")


async def publish(engine: AsyncEngine, key: SigningKey) -> None:
    async with engine.begin() as connection:
        await connection.execute(_PUBLISH, {"kid": key.key_id, "raw": key.public_raw})


async def published_keys(engine: AsyncEngine, current: SigningKey) -> dict[str, bytes]:
    """kid → raw public key of every key ever published, the current one included (oldest first)."""
    async with engine.connect() as connection:
        rows = (await connection.execute(_PUBLISHED)).all()
    keys = {str(kid): bytes(raw) for kid, raw in rows}
    keys.setdefault(current.key_id, current.public_raw)
    return keys


async def status_slot(engine: AsyncEngine, number: str) -> int:
    """The certificate's slot, taken on its first credential; concurrent first requests agree on one."""
    async with engine.begin() as connection:
        taken = (await connection.execute(_TAKE_SLOT, {"number": number})).scalar_one_or_none()
        if taken is None:
            taken = (await connection.execute(_SLOT, {"number": number})).scalar_one()
    return int(taken)


async def revoked_positions(engine: AsyncEngine, list_id: int) -> list[int]:
    """Positions set in list `list_id`: revoked certificates that have a slot in it."""
    low = list_id * status_list.LIST_SIZE
    async with engine.connect() as connection:
        rows = (
            await connection.execute(_REVOKED, {"low": low, "high": low + status_list.LIST_SIZE})
        ).scalars()
        return [int(index) - low for index in rows]


async def list_count(engine: AsyncEngine) -> int:
    """How many lists exist (at least one, even before the first credential)."""
    async with engine.connect() as connection:
        highest = int((await connection.execute(_HIGHEST)).scalar_one())
    return max(highest, 0) // status_list.LIST_SIZE + 1
