"""The relay table, read from the services' OpenAPI documents: which routes pass through, where, with which token rule.

Pure rules over plain data (the documents are dicts). The same documents are the gateway's published description of
these routes, so what is routed and what is documented cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from gateway.upstreams import ORG_FILING, REGISTRY, SUBSIDY, VOUCHER

RELAY_ROOT = "/api/v1"
SERVICE_ROOT = "/v1/"
PLATFORM_PATHS: frozenset[str] = frozenset({"/healthz", "/readyz", "/metrics", "/v1/audit/verify"})
"""Each service's own probes, metrics and audit verifier: for operators inside the network, never relayed."""

METHODS: tuple[str, ...] = ("get", "put", "post", "delete", "patch")
"""The OpenAPI operation keys that are HTTP methods (the others, like ``parameters``, are not operations)."""


@dataclass(frozen=True, slots=True)
class RelayedService:
    """A service whose routes the gateway relays, the public prefix it gets and the factory that builds it."""

    prefix: str
    service: str
    factory: str

    @property
    def tag_prefix(self) -> str:
        """Prefix of schema names and tags that would otherwise collide with another document's."""
        return self.prefix.capitalize()


RELAYED_SERVICES: tuple[RelayedService, ...] = (
    RelayedService("registry", REGISTRY, "certificate_registry.app:create_app"),
    RelayedService("filing", ORG_FILING, "org_filing.app:create_app"),
    RelayedService("subsidy", SUBSIDY, "subsidy_claims.app:create_app"),
    RelayedService("voucher", VOUCHER, "voucher.app:create_app"),
)
"""``/api/v1/<prefix>/<rest>`` reaches ``/v1/<rest>`` of the service: one short word per service."""


class Access(StrEnum):
    """What the gateway asks of the caller's token before relaying (the service checks roles again)."""

    REQUIRED = "required"
    """No valid token, no relay: 401 from the gateway."""
    OPTIONAL = "optional"
    """Public, but a token that is sent must be valid (the service shows more to some roles)."""
    NONE = "none"
    """Public: the token is passed on untouched and the service ignores it."""


def access_of(operation: Mapping[str, Any]) -> Access:
    """The token rule an operation's OpenAPI ``security`` states: none declared → public; an empty requirement
    among them (``[{}, {"HTTPBearer": []}]``) → optional; otherwise required."""
    security = operation.get("security") or []
    if not security:
        return Access.NONE
    if any(not requirement for requirement in security):
        return Access.OPTIONAL
    return Access.REQUIRED


def is_relayed(service_path: str) -> bool:
    """Every ``/v1/...`` route of a service is relayed, except the platform's."""
    return service_path.startswith(SERVICE_ROOT) and service_path not in PLATFORM_PATHS


def public_path(service: RelayedService, service_path: str) -> str:
    """``/v1/targets`` of the voucher service → ``/api/v1/voucher/targets``."""
    return f"{RELAY_ROOT}/{service.prefix}/{service_path[len(SERVICE_ROOT) :]}"


@dataclass(frozen=True, slots=True)
class RelayedPath:
    """One path template of a service as the gateway serves it, with the token rule of each of its methods."""

    service: RelayedService
    service_path: str
    public_path: str
    access: Mapping[str, Access]
    """Upper-case method → token rule."""

    @property
    def methods(self) -> list[str]:
        """The methods served on this path, in document order."""
        return list(self.access)

    def access_for(self, method: str) -> Access:
        """The rule of ``method``; HEAD follows GET (Starlette answers HEAD wherever GET is served)."""
        return self.access.get(method, self.access.get("GET", Access.REQUIRED))


def relayed_paths(service: RelayedService, document: Mapping[str, Any]) -> list[RelayedPath]:
    """The relayed paths of one service, in the order of its document (which is its router's order, so a
    literal path such as ``/v1/claims/mine`` keeps winning over ``/v1/claims/{claim_id}`` as it does there)."""
    found = []
    for path, item in document.get("paths", {}).items():
        if not is_relayed(path):
            continue
        access = {method.upper(): access_of(item[method]) for method in METHODS if method in item}
        if access:
            found.append(RelayedPath(service, path, public_path(service, path), access))
    return found


def relay_table(documents: Mapping[str, Mapping[str, Any]]) -> list[RelayedPath]:
    """Every relayed path of every service, by service in ``RELAYED_SERVICES`` order; ``documents`` by service
    name. A service without a document is an error: the gateway would silently lose its routes."""
    missing = [s.service for s in RELAYED_SERVICES if s.service not in documents]
    if missing:
        raise ValueError(f"no OpenAPI document for {', '.join(missing)}")
    return [p for s in RELAYED_SERVICES for p in relayed_paths(s, documents[s.service])]


_PARAMETER = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")


def _segment(value: str) -> str:
    """A path parameter as one encoded segment. Dots alone are encoded too, so that no client library on the way
    treats them as ``.``/``..`` and walks the path up to another route."""
    if value and set(value) == {"."}:
        return "%2E" * len(value)
    return quote(value, safe="")


def service_target(template: str, params: Mapping[str, str]) -> str:
    """The service path with the (decoded) path parameters encoded back into it."""
    return _PARAMETER.sub(lambda m: _segment(params[m.group(1)]), template)


_QUERY_SAFE = "!$&'()*+,/:;=?@[]~%"
"""Query bytes that go on as they are (``%`` keeps existing escapes); everything else is percent-encoded."""


def encode_query(raw: bytes) -> str:
    """The caller's query string, byte for byte where it is already valid in a URL, encoded where it is not."""
    return quote(raw, safe=_QUERY_SAFE)
