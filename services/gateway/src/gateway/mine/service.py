"""A citizen's certificates, claims and vouchers, fetched in parallel, each within its own time budget."""

from __future__ import annotations

import asyncio
from typing import Any

from gateway import paths
from gateway.mine.rules import assemble, part_ok, part_unavailable
from gateway.relay import json_or_problem
from gateway.upstreams import Upstreams
from skills_shared.auth import Principal
from skills_shared.clients import ServiceClient
from skills_shared.problems import Problem


async def _fetch(client: ServiceClient, path: str, token: str, budget_s: float) -> dict[str, Any]:
    """One part: a slow, failing or refusing service yields a marked gap instead of failing the whole."""
    try:
        async with asyncio.timeout(budget_s):
            items = json_or_problem(await client.request("GET", path, token=token))
    except TimeoutError:
        return part_unavailable(client.name, "timeout")
    except Problem as problem:
        return part_unavailable(client.name, problem.code)
    return part_ok(items)


async def my_things(upstreams: Upstreams, principal: Principal, budget_s: float) -> dict[str, Any]:
    """All three at once; the slowest part bounds the wait, never their sum."""
    token = principal.token
    certificates, claims, vouchers = await asyncio.gather(
        _fetch(upstreams.registry, paths.REGISTRY_HOLDER_CERTIFICATES, token, budget_s),
        _fetch(upstreams.subsidy, paths.SUBSIDY_MY_CLAIMS, token, budget_s),
        _fetch(upstreams.voucher, paths.VOUCHER_MINE, token, budget_s),
    )
    return assemble({"certificates": certificates, "claims": claims, "vouchers": vouchers})
