"""The four downstream services as pooled ``ServiceClient``s, created once per process in the lifespan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

import httpx
from fastapi import Depends, Request

from gateway.settings import GatewaySettings
from skills_shared.clients import CircuitBreaker, ServiceClient

REGISTRY = "certificate-registry"
ORG_FILING = "org-filing"
SUBSIDY = "subsidy-claims"
VOUCHER = "voucher"


POOL_LIMITS = httpx.Limits(max_connections=200, max_keepalive_connections=64, keepalive_expiry=30)
"""One pool per service, sized for the look-up path: enough kept-alive connections that no request dials."""


@dataclass(frozen=True, slots=True)
class Upstreams:
    """One client per service; each has its own circuit breaker so one sick service does not trip the others."""

    registry: ServiceClient
    org_filing: ServiceClient
    subsidy: ServiceClient
    voucher: ServiceClient

    def all(self) -> tuple[ServiceClient, ...]:
        """Every client, for closing."""
        return (self.registry, self.org_filing, self.subsidy, self.voucher)

    def by_name(self, name: str) -> ServiceClient:
        """The client of the service called ``name`` (``REGISTRY``, ``ORG_FILING``, …); KeyError otherwise."""
        for client in self.all():
            if client.name == name:
                return client
        raise KeyError(name)

    async def aclose(self) -> None:
        """Close every pool."""
        for client in self.all():
            await client.aclose()


def build_upstreams(
    settings: GatewaySettings, transports: Mapping[str, httpx.AsyncBaseTransport] | None = None
) -> Upstreams:
    """Create the clients; ``transports`` (by service name) lets tests put a fake service behind one."""
    transports = transports or {}

    def make(name: str, base_url: str) -> ServiceClient:
        transport = transports.get(name)
        pooled = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(settings.upstream_timeout_s),
            limits=POOL_LIMITS,
            transport=transport,
        )
        return ServiceClient(
            name=name,
            base_url=base_url,
            timeout_s=settings.upstream_timeout_s,
            retries=settings.upstream_retries,
            backoff_s=settings.upstream_backoff_s,
            transport=transport,
            breaker=CircuitBreaker(threshold=settings.breaker_threshold, reset_s=settings.breaker_reset_s),
            _client=pooled,
        )

    return Upstreams(
        registry=make(REGISTRY, settings.registry_url),
        org_filing=make(ORG_FILING, settings.org_filing_url),
        subsidy=make(SUBSIDY, settings.subsidy_url),
        voucher=make(VOUCHER, settings.voucher_url),
    )


async def upstreams_of(request: Request) -> Upstreams:
    """The process-wide clients set up by the lifespan."""
    upstreams: Upstreams = request.app.state.upstreams
    return upstreams


UpstreamsDep = Annotated[Upstreams, Depends(upstreams_of)]
