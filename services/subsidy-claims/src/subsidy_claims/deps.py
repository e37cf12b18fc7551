"""Request-scoped dependencies of this service: the business clock (shared) and the registry client."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from skills_shared.clock import ClockDep, TodayDep
from subsidy_claims.claims.registry import RegistryClient

__all__ = ["ClockDep", "RegistryDep", "TodayDep"]


async def registry_client(request: Request) -> RegistryClient | None:
    client: RegistryClient | None = getattr(request.app.state, "registry", None)
    return client


RegistryDep = Annotated[RegistryClient | None, Depends(registry_client)]
