"""Route of 'my things' (citizens)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from gateway.access import Citizen
from gateway.mine.service import my_things
from gateway.upstreams import UpstreamsDep
from skills_shared.contracts.v1.gateway import MyThings
from skills_shared.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["me"])


@router.get(
    "/me",
    operation_id="me.get",
    response_model=MyThings,
    response_model_exclude_none=True,
    summary="My certificates, claims and vouchers in one answer; a slow or failed service marks its part",
    responses=problem_responses(401, 403, 429),
)
async def get_my_things(request: Request, principal: Citizen, upstreams: UpstreamsDep) -> MyThings:
    """Never a 503: the parts that answered are worth showing."""
    return await my_things(upstreams, principal, request.app.state.settings.mine_timeout_s)
