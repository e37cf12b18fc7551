"""One OpenAPI document of the public API: the gateway's own routes plus every relayed route of the services.

Pure functions over plain dicts. Each relayed operation keeps the service's own parameters, bodies, responses and
errors, under its public path, with what the gateway adds on its way (the rate limit's 429, its own 401 and 503).
Component schemas are merged by name: a name every document defines the same way stays one schema (the shared
``ProblemModel``, say); a name two documents define differently is prefixed per service, and every ``$ref`` of
that service is rewritten to match.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
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


def short_operation_id(operation: Mapping[str, Any], path: str, method: str) -> str | None:
    """The operation's own short ID: an explicit one (``claims.approve``) as it is; FastAPI's generated one
    (``approve_v1_claims__claim_id__approve_post``: function name, path, method) cut back to the function name,
    which is what its author called it. None when the operation has no ID at all."""
    given = operation.get("operationId")
    if not isinstance(given, str):
        return None
    generated_tail = re.sub(r"\W", "_", path) + "_" + method
    if given.endswith(generated_tail) and len(given) > len(generated_tail):
        return given[: -len(generated_tail)]
    return given


def _generated_name(operation_id: str) -> str:
    """What a client generator makes of an ID (``audit.verify`` and ``audit_verify`` are one method name)."""
    return re.sub(r"\W", "_", operation_id).lower()


def unique_operation_ids(paths: Mapping[str, Any], full_ids: Mapping[tuple[str, str], str]) -> None:
    """Where two operations came out with one short ID (or two a client generator would name alike), both go back
    to their full, unique one."""
    counted = Counter(
        _generated_name(op["operationId"])
        for item in paths.values()
        for method, op in item.items()
        if method in METHODS and isinstance(op, dict) and "operationId" in op
    )
    for path, item in paths.items():
        for method, op in item.items():
            if method in METHODS and counted.get(_generated_name(op.get("operationId", "")), 0) > 1:
                op["operationId"] = full_ids[(path, method)]


def unique_titles(schemas: dict[str, Any]) -> None:
    """Every component schema gets a title no other one has: a title several share (``ObjectionIn`` of the
    registry and of subsidy-claims, once their names were prefixed) becomes the component's unique name. Client
    generators name their classes after titles and drop whatever collides."""
    for _ in range(3):
        titles = Counter(
            schema.get("title", name) for name, schema in schemas.items() if isinstance(schema, dict)
        )
        clashing = [
            name
            for name, schema in schemas.items()
            if isinstance(schema, dict) and titles[schema.get("title", name)] > 1
        ]
        if not clashing:
            return
        for name in clashing:
            schemas[name]["title"] = name
    raise ValueError("schema titles could not be made unique")


BINARY_MEDIA = re.compile(r"^(image/|application/(pdf|octet-stream|zip|vnd\.|[a-z0-9.+-]*jwt)|text/csv)")
"""Answers that are bytes for a client: images, PDFs, spreadsheets and CSV files, signed tokens."""
BINARY = {"type": "string", "format": "binary"}


def typed_binary(operation: dict[str, Any]) -> None:
    """Every bytes body or answer the service left without a schema is documented as ``format: binary``, so a
    generated client hands it over as a file instead of dropping it."""
    bodies = [operation.get("requestBody"), *operation.get("responses", {}).values()]
    for body in bodies:
        for media, entry in (body or {}).get("content", {}).items():
            if BINARY_MEDIA.match(media) and not entry.get("schema"):
                entry["schema"] = dict(BINARY)


def one_body_type(operation: dict[str, Any]) -> None:
    """A request body offered in several media types (results as JSON or as the .xlsx template, a photo as JPEG
    or PNG) is published under one — JSON when it is among them, else the first — the others named in its
    description: the bytes go on with the caller's own Content-Type either way, and client generators cannot
    build one method for several bodies (openapi-python-client 0.29 emits code that does not import)."""
    body = operation.get("requestBody")
    if not isinstance(body, dict):
        return
    content: dict[str, Any] = body.get("content", {})
    if len(content) < 2:
        return
    kept = "application/json" if "application/json" in content else next(iter(content))
    others = [media for media in content if media != kept]
    body["content"] = {kept: content[kept]}
    also = f"Also accepted as {', '.join(others)} (send the matching Content-Type)."
    body["description"] = f"{body['description']} {also}" if body.get("description") else also


def relayed_operation(
    service: RelayedService,
    service_path: str,
    operation: Mapping[str, Any],
    names: Mapping[str, str],
    method: str = "get",
) -> dict[str, Any]:
    """The service's operation as the gateway publishes it: its ID prefixed with the service (``subsidy.``)."""
    out: dict[str, Any] = rewrite_refs(operation, names)
    typed_binary(out)
    one_body_type(out)
    short = short_operation_id(out, service_path, method)
    if short is not None:
        out["operationId"] = f"{service.prefix}.{short}"
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
    full_ids: dict[tuple[str, str], str] = {}
    for path, item in paths.items():
        for method, operation in item.items():
            if method in METHODS and "operationId" in operation:
                full_ids[(path, method)] = operation["operationId"]
                operation["operationId"] = short_operation_id(operation, path, method)
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
                method: relayed_operation(service, service_path, item[method], names[service.service], method)
                for method in METHODS
                if method in item
            }
            for method in relayed:
                if "operationId" in item[method]:
                    full_ids[(target, method)] = f"{service.prefix}.{item[method]['operationId']}"
            if "parameters" in item:
                relayed["parameters"] = rewrite_refs(item["parameters"], names[service.service])
            paths[target] = relayed
            for operation in relayed.values():
                for tag in operation.get("tags", []) if isinstance(operation, dict) else []:
                    if tag not in known_tags:
                        known_tags.add(tag)
                        tags.append({"name": tag, "description": f"Relayed unchanged to {service.service}."})
    unique_operation_ids(paths, full_ids)
    unique_titles(components["schemas"])
    return merged
