"""The gateway's own audit trail (全程留痕): one row per completed workflow step, in the key's transaction.

The services audit their records in detail; the gateway records who drove which workflow, on what, with which
outcome, so a request can be followed across the suite by its request id. Only identifiers and states are kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi.responses import Response
from pydantic import BaseModel

from skills_shared.audit import record
from skills_shared.auth import Principal
from skills_shared.idempotency import Idempotency

SUMMARY_KEYS = (
    "id",
    "status",
    "body_code",
    "batch_id",
    "issued_count",
    "first_number",
    "last_number",
    "voucher_id",
)
"""What of a downstream answer is worth keeping: identifiers and states, never personal data."""

A = TypeVar("A", bound=BaseModel)


def summary(result: BaseModel) -> dict[str, Any]:
    """The identifiers and states of an answer."""
    values = result.model_dump(mode="json")
    return {key: values[key] for key in SUMMARY_KEYS if key in values}


async def run_audited(
    idem: Idempotency,
    principal: Principal,
    *,
    action: str,
    entity_type: str,
    entity_id: Callable[[A], object],
    call: Callable[[], Awaitable[A]],
    status_code: int = 200,
) -> Response:
    """Run the step once per key and, when it succeeded, append its audit row in the same transaction."""

    async def audited() -> A:
        result = await call()
        await record(
            idem.unit,
            actor=principal,
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id(result)),
            after=summary(result),
        )
        return result

    return await idem.run(audited, status_code=status_code)
