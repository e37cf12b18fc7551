"""Request-scoped dependencies of this service: the business date and the registry client."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import Depends, Request

from subsidy_claims.claims.registry import RegistryClient


async def business_today(request: Request) -> date:
    """Today in Asia/Shanghai; the app keeps the clock on its state so a test can pin the date."""
    clock: Callable[[], date] = request.app.state.clock
    return clock()


async def registry_client(request: Request) -> RegistryClient | None:
    client: RegistryClient | None = getattr(request.app.state, "registry", None)
    return client


TodayDep = Annotated[date, Depends(business_today)]
RegistryDep = Annotated[RegistryClient | None, Depends(registry_client)]
