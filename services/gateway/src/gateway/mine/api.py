"""Route of 'my things' (citizens)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from gateway.access import Citizen
from gateway.mine.service import my_things
from gateway.upstreams import UpstreamsDep
from skills_shared.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["me"])


class Part(BaseModel):
    """One part of the answer: its items, or which service did not answer and why."""

    status: Literal["ok", "unavailable"]
    items: Any = None
    service: str | None = None
    reason: str | None = None


class MyThings(BaseModel):
    """Certificates (registry), claims (subsidy-claims), vouchers (voucher); ``complete`` is false when a part is
    missing."""

    certificates: Part
    claims: Part
    vouchers: Part
    complete: bool


@router.get(
    "/me",
    response_model=MyThings,
    response_model_exclude_none=True,
    summary="My certificates, claims and vouchers in one answer; a slow or failed service marks its part",
    responses=problem_responses(401, 403, 429),
)
async def get_my_things(request: Request, principal: Citizen, upstreams: UpstreamsDep) -> dict[str, Any]:
    """Never a 503: the parts that answered are worth showing."""
    return await my_things(upstreams, principal, request.app.state.settings.mine_timeout_s)
