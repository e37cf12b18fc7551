"""The services' OpenAPI documents, as committed beside this module and as regenerated from their app factories.

The gateway ships without the services' code (its image holds its own package only), so it reads their documents
from these files; ``python -m gateway.openapi --write`` rebuilds them from the four ``create_app`` factories in
this process (building an app opens no database: that happens in its lifespan), and the gateway's tests fail when
a committed file differs from what the services now say.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import Any

from gateway.relayed.table import METHODS, RELAYED_SERVICES, RelayedService

SNAPSHOT_DIR = Path(__file__).parent / "services"


def snapshot_path(service: RelayedService) -> Path:
    """Where the document of ``service`` is committed."""
    return SNAPSHOT_DIR / f"{service.service}.json"


def render(document: dict[str, Any]) -> str:
    """The committed form: readable diffs, Chinese left as it is, the services' own key order (it is their router
    order, which the relay keeps)."""
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


@cache
def load_documents() -> dict[str, dict[str, Any]]:
    """The committed documents by service name, read once per process."""
    return {s.service: json.loads(snapshot_path(s).read_text("utf-8")) for s in RELAYED_SERVICES}


def _dependency_calls(dependant: Any) -> set[Any]:
    calls: set[Any] = set()
    stack = [dependant]
    while stack:
        current = stack.pop()
        if current.call is not None:
            calls.add(current.call)
        stack.extend(current.dependencies)
    return calls


def mark_optional_tokens(app: Any, document: dict[str, Any]) -> None:
    """State in the document which routes take a token without needing one.

    FastAPI writes the same ``security`` for a route that requires a token and for one that only reads it when
    sent (``OptionalPrincipal``). OpenAPI says "optional" with an empty requirement beside the scheme; the relay
    reads that to let anonymous callers through to such a route.
    """
    from fastapi.routing import iter_route_contexts

    from skills_shared.auth import current_principal, optional_principal

    for context in iter_route_contexts(app.routes):
        dependant = getattr(context, "dependant", None)
        if dependant is None or context.path not in document.get("paths", {}):
            continue
        calls = _dependency_calls(dependant)
        if optional_principal not in calls or current_principal in calls:
            continue
        item = document["paths"][context.path]
        for method in context.methods or ():
            operation = item.get(method.lower())
            security = operation.get("security") if operation is not None else None
            if method.lower() in METHODS and security and {} not in security:
                item[method.lower()]["security"] = [{}, *security]


def build_document(service: RelayedService) -> dict[str, Any]:
    """The service's OpenAPI document, from an app built by its own factory with default settings."""
    module, _, name = service.factory.partition(":")
    app = getattr(import_module(module), name)()
    document: dict[str, Any] = app.openapi()
    mark_optional_tokens(app, document)
    return document


def stale() -> list[str]:
    """Names of the services whose committed document is missing or differs from what their code says now."""
    out = []
    for service in RELAYED_SERVICES:
        path = snapshot_path(service)
        if not path.exists() or path.read_text("utf-8") != render(build_document(service)):
            out.append(service.service)
    return out


def write() -> list[str]:
    """Regenerate every committed document; the names of those that changed."""
    SNAPSHOT_DIR.mkdir(exist_ok=True)
    changed = []
    for service in RELAYED_SERVICES:
        path = snapshot_path(service)
        text = render(build_document(service))
        if not path.exists() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
            changed.append(service.service)
    load_documents.cache_clear()
    return changed
