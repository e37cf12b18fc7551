"""One OpenAPI document of the public API: the gateway's own routes plus every relayed route of the services.

Pure functions over plain dicts. Each relayed operation keeps the service's own parameters, bodies, responses and
errors, under its public path, with what the gateway adds on its way (the rate limit's 429, its own 401 and 503).
Component schemas are merged by name: a name every document defines the same way stays one schema (the shared
``ProblemModel``, say); a name two documents define differently is prefixed per service, and every ``$ref`` of
that service is rewritten to match.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from gateway.relayed.table import METHODS, Access, RelayedService, access_of, is_relayed, public_path

OWN = "gateway"
"""The key of the gateway's own document among the owners of schemas; its names are never prefixed."""
SCHEMA_REF = "#/components/schemas/"
PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": SCHEMA_REF + "ProblemModel"}}}
GATEWAY_ERRORS = {
    "429": "Too many requests from this client (the gateway's rate limit); see Retry-After.",
    "503": "The service, or the gateway's way to it, is unavailable; the problem names the service. See Retry-After.",
}
UNAUTHORIZED = "No valid bearer token (refused by the gateway before the service is called)."


def _refs(node: Any) -> set[str]:
    """Every schema name ``node`` refers to."""
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str) and ref.startswith(SCHEMA_REF):
                found.add(ref[len(SCHEMA_REF) :])
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return found


def schema_names(
    schemas: Mapping[str, Mapping[str, Any]], prefixes: Mapping[str, str]
) -> dict[str, dict[str, str]]:
    """The merged name of every schema, by owner: ``{owner: {name: merged name}}``.

    ``schemas`` maps each owner (``OWN`` or a service) to its component schemas; ``prefixes`` gives each service's
    name prefix. A name is shared when every owner defining it defines it identically and everything it refers
    to is shared too (otherwise the same text would point at different schemas); any other name defined by more
    than one owner is prefixed, except the gateway's own. A prefixed name that is already taken is an error.
    """
    holders: dict[str, list[str]] = {}
    for owner, defined in schemas.items():
        for name in defined:
            holders.setdefault(name, []).append(owner)
    shared = {
        name
        for name, owners in holders.items()
        if all(schemas[o][name] == schemas[owners[0]][name] for o in owners[1:])
    }
    changed = True
    while changed:
        changed = False
        for name in sorted(shared):
            owners = holders[name]
            if any(
                ref not in shared and len(holders.get(ref, ())) > 1 for ref in _refs(schemas[owners[0]][name])
            ):
                shared.discard(name)
                changed = True
    names: dict[str, dict[str, str]] = {}
    taken: dict[str, str] = {}
    for owner, defined in schemas.items():
        mapping = names.setdefault(owner, {})
        for name in defined:
            keep = owner == OWN or name in shared or len(holders[name]) == 1
            merged = name if keep else prefixes[owner] + name
            mapping[name] = merged
            first = taken.setdefault(merged, owner)
            if first != owner and not (name in shared and merged == name):
                raise ValueError(f"schema name {merged!r} of {owner} is already taken by {first}")
    return names


def rewrite_refs(node: Any, names: Mapping[str, str]) -> Any:
    """A copy of ``node`` with every schema ``$ref`` renamed through ``names``."""
    if isinstance(node, dict):
        out = {key: rewrite_refs(value, names) for key, value in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMA_REF):
            out["$ref"] = SCHEMA_REF + names.get(ref[len(SCHEMA_REF) :], ref[len(SCHEMA_REF) :])
        return out
    if isinstance(node, list):
        return [rewrite_refs(item, names) for item in node]
    return node


def relayed_operation(
    service: RelayedService, service_path: str, operation: Mapping[str, Any], names: Mapping[str, str]
) -> dict[str, Any]:
    """The service's operation as the gateway publishes it."""
    out: dict[str, Any] = rewrite_refs(operation, names)
    if "operationId" in out:
        out["operationId"] = f"{service.prefix}_{out['operationId']}"
    out["tags"] = [f"{service.prefix}: {tag}" for tag in out.get("tags") or ["other"]]
    responses = out.setdefault("responses", {})
    for status, description in GATEWAY_ERRORS.items():
        responses.setdefault(status, {"description": description, "content": copy.deepcopy(PROBLEM_CONTENT)})
    if access_of(out) is Access.REQUIRED:
        responses.setdefault("401", {"description": UNAUTHORIZED, "content": copy.deepcopy(PROBLEM_CONTENT)})
    out["x-relayed-to"] = {"service": service.service, "path": service_path}
    return out


def _merge_security_schemes(documents: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for document in documents:
        for name, scheme in document.get("components", {}).get("securitySchemes", {}).items():
            if merged.setdefault(name, scheme) != scheme:
                raise ValueError(f"security scheme {name!r} is defined differently by two documents")
    return merged


def merged_document(
    own: Mapping[str, Any], services: Sequence[tuple[RelayedService, Mapping[str, Any]]]
) -> dict[str, Any]:
    """The gateway's own document with every relayed route of ``services`` added (inputs are not modified)."""
    for _, document in services:
        unsupported = set(document.get("components", {})) - {"schemas", "securitySchemes"}
        if unsupported:
            raise ValueError(f"components not merged: {sorted(unsupported)}")
    schemas = {OWN: own.get("components", {}).get("schemas", {})}
    prefixes = {OWN: ""}
    for service, document in services:
        schemas[service.service] = document.get("components", {}).get("schemas", {})
        prefixes[service.service] = service.tag_prefix
    names = schema_names(schemas, prefixes)

    merged: dict[str, Any] = copy.deepcopy(dict(own))
    components = merged.setdefault("components", {})
    merged_schemas: dict[str, Any] = {}
    for owner, defined in schemas.items():
        for name, schema in defined.items():
            merged_schemas.setdefault(names[owner][name], rewrite_refs(schema, names[owner]))
    components["schemas"] = dict(sorted(merged_schemas.items()))
    security = _merge_security_schemes([own, *(document for _, document in services)])
    if security:
        components["securitySchemes"] = security

    paths = merged.setdefault("paths", {})
    tags = merged.setdefault("tags", [])
    known_tags = {tag["name"] for tag in tags}
    for service, document in services:
        for service_path, item in document.get("paths", {}).items():
            if not is_relayed(service_path):
                continue
            target = public_path(service, service_path)
            if target in paths:
                raise ValueError(f"{target} is both a gateway route and a relayed one")
            relayed = {
                method: relayed_operation(service, service_path, item[method], names[service.service])
                for method in METHODS
                if method in item
            }
            if "parameters" in item:
                relayed["parameters"] = rewrite_refs(item["parameters"], names[service.service])
            paths[target] = relayed
            for operation in relayed.values():
                for tag in operation.get("tags", []) if isinstance(operation, dict) else []:
                    if tag not in known_tags:
                        known_tags.add(tag)
                        tags.append({"name": tag, "description": f"Relayed unchanged to {service.service}."})
    return merged
