"""The four downstream services as pooled ``ServiceClient``s, created once per process in the lifespan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

import httpx
from fastapi import Depends, Request

from gateway.settings import GatewaySettings
from skills_shared.clients import READS, WRITES, Classifier, RouteClass, ServiceClient, default_classes

REGISTRY = "certificate-registry"
ORG_FILING = "org-filing"
SUBSIDY = "subsidy-claims"
VOUCHER = "voucher"


LOOKUP = RouteClass("lookup", per_caller=32, total=256)
"""The public certificate look-up and verification: cheap, anonymous, hammered by partners."""
DOCUMENTS = RouteClass("documents", per_caller=4, total=32)
"""Rendered PDFs and QR images: CPU-heavy at the registry, so a small budget of their own (issue 20, item 1)."""
POLICY_ADMIN = RouteClass("policy-admin", per_caller=4, total=16)
"""Subsidy policy tables and catalogue writes: rare administrative bulk writes, kept apart from claims."""
CLAIM_WRITES = RouteClass("claim-writes", per_caller=8, total=128)
REDEEM = RouteClass("redeem", per_caller=16, total=192)
"""Scan-to-redeem: institutions scan in bursts; its own class so a slow settlement run cannot starve it."""
BULK = RouteClass("bulk", per_caller=2, total=8)
"""Batch result lists and voucher issue lists (megabytes each)."""


def registry_classes(method: str, path: str) -> RouteClass:
    """Route classes of certificate-registry."""
    path = path.partition("?")[0]
    if method == "GET" and path.startswith("/v1/certificates/"):
        rest = path[len("/v1/certificates/") :]
        number, _, tail = rest.partition("/")
        if number and tail in ("", "verification"):
            return LOOKUP
        if tail == "document.pdf" or tail.startswith("qr."):
            return DOCUMENTS
    if method == "PUT" and path.endswith("/results"):
        return BULK
    return default_classes(method, path)


def subsidy_classes(method: str, path: str) -> RouteClass:
    """Route classes of subsidy-claims."""
    path = path.partition("?")[0]
    if method in ("GET", "HEAD"):
        return READS
    if path.startswith("/v1/policies/") and not path.endswith("/evaluate"):
        return POLICY_ADMIN
    if path.startswith("/v1/claims"):
        return CLAIM_WRITES
    return WRITES


def voucher_classes(method: str, path: str) -> RouteClass:
    """Route classes of voucher."""
    path = path.partition("?")[0]
    if method == "POST" and path.startswith("/v1/redemptions"):
        return REDEEM
    if method in ("PUT", "POST") and path.startswith("/v1/campaigns/") and path.endswith("/issues"):
        return BULK
    return default_classes(method, path)


CLASSIFIERS: dict[str, Classifier] = {
    REGISTRY: registry_classes,
    SUBSIDY: subsidy_classes,
    VOUCHER: voucher_classes,
}


POOL_LIMITS = httpx.Limits(max_connections=200, max_keepalive_connections=64, keepalive_expiry=30)
"""One pool per service, sized for the look-up path: enough kept-alive connections that no request dials."""


@dataclass(frozen=True, slots=True)
class Upstreams:
    """One client per service; each has a breaker and bulkheads per route class, so neither one sick service nor
    one class of its routes nor one caller's flood trips the others."""

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
            breaker_threshold=settings.breaker_threshold,
            breaker_reset_s=settings.breaker_reset_s,
            classify=CLASSIFIERS.get(name, default_classes),
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
