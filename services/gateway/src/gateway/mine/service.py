"""A citizen's certificates, claims and vouchers, fetched in parallel, each within its own time budget."""

from __future__ import annotations

import asyncio
from typing import Any

from gateway import paths
from gateway.mine.rules import complete, part_ok, part_unavailable
from gateway.relay import call
from gateway.upstreams import Upstreams
from skills_shared.auth import Principal
from skills_shared.clients import ServiceClient
from skills_shared.contracts.v1.gateway import MyThings, Part
from skills_shared.contracts.v1.pagination import Page
from skills_shared.contracts.v1.registry import PublicCertificate
from skills_shared.contracts.v1.subsidy import SubsidyClaim
from skills_shared.contracts.v1.voucher import VoucherV1
from skills_shared.problems import Problem


async def _fetch(client: ServiceClient, page: Any, path: str, token: str, budget_s: float) -> Part[Any]:
    """One part: a slow, failing, refusing or contract-breaking service yields a marked gap, never a failure."""
    try:
        async with asyncio.timeout(budget_s):
            answer = await call(client, page, "GET", path, token=token)
    except TimeoutError:
        return part_unavailable(client.name, "timeout")
    except Problem as problem:
        return part_unavailable(client.name, problem.code)
    return part_ok(answer.items)


async def my_things(upstreams: Upstreams, principal: Principal, budget_s: float) -> MyThings:
    """All three at once; the slowest part bounds the wait, never their sum."""
    token = principal.token
    certificates, claims, vouchers = await asyncio.gather(
        _fetch(
            upstreams.registry, Page[PublicCertificate], paths.REGISTRY_HOLDER_CERTIFICATES, token, budget_s
        ),
        _fetch(upstreams.subsidy, Page[SubsidyClaim], paths.SUBSIDY_MY_CLAIMS, token, budget_s),
        _fetch(upstreams.voucher, Page[VoucherV1], paths.VOUCHER_MINE, token, budget_s),
    )
    return MyThings.model_validate(
        {
            "certificates": certificates.model_dump(),
            "claims": claims.model_dump(),
            "vouchers": vouchers.model_dump(),
            "complete": complete(certificates, claims, vouchers),
        }
    )
