"""One OpenAPI document for the whole public API: every route there, every error documented as problem+json, and
the relayed routes of the services documented and routed from the same committed documents."""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from gateway.app import create_app
from gateway.openapi.snapshot import load_documents
from gateway.relayed.table import METHODS, RELAYED_SERVICES, Access, access_of, is_relayed, public_path
from gateway.settings import GatewaySettings

PROBLEM = "application/problem+json"
RELAY_PREFIXES = tuple(f"/api/v1/{s.prefix}/" for s in RELAYED_SERVICES)


@cache
def app() -> FastAPI:
    return create_app(GatewaySettings())


def document() -> dict[str, Any]:
    spec: dict[str, Any] = app().openapi()
    return spec


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_every_public_route_documents_its_errors() -> None:
    missing: list[str] = []
    for method, path, operation in operations(document()):
        if not path.startswith("/api/v1/"):
            continue
        responses = operation["responses"]
        errors = {code for code in responses if code.startswith(("4", "5"))}
        if "429" not in errors:
            missing.append(f"{method.upper()} {path}: 429 (rate limit) undocumented")
        for code in errors:
            if PROBLEM not in responses[code].get("content", {}):
                missing.append(f"{method.upper()} {path}: {code} not problem+json")
        if access_of(operation) is not Access.NONE and "401" not in errors:
            missing.append(f"{method.upper()} {path}: 401 undocumented")
        if access_of(operation) is Access.NONE and path == "/api/v1/subsidy-applications":
            missing.append(f"{method.upper()} {path}: declares no token")
        if method == "post" and "503" not in errors and path != "/api/v1/me":
            missing.append(f"{method.upper()} {path}: 503 (a service down) undocumented")
        if path.startswith(RELAY_PREFIXES) and "503" not in errors:
            missing.append(f"{method.upper()} {path}: 503 (the service down) undocumented")
    assert missing == []


def test_the_document_has_every_workflow() -> None:
    paths = set(document()["paths"])
    assert {
        "/api/v1/certificates/{number}",
        "/api/v1/subsidy-applications",
        "/api/v1/body-applications",
        "/api/v1/bodies/{code}/status",
        "/api/v1/batches",
        "/api/v1/batches/{batch_id}/issue",
        "/api/v1/vouchers/claims",
        "/api/v1/redemptions",
        "/api/v1/me",
        "/verify",
    } <= paths
    assert document()["components"]["schemas"]["ProblemModel"]["properties"]["code"]


def test_every_relayed_service_route_is_in_the_document_with_its_own_schemas() -> None:
    spec = document()
    documents = load_documents()
    absent = []
    for service in RELAYED_SERVICES:
        source = documents[service.service]
        for path, item in source["paths"].items():
            for method in (m for m in METHODS if m in item):
                if not is_relayed(path):
                    assert public_path(service, path) not in spec["paths"]
                    continue
                published = spec["paths"].get(public_path(service, path), {}).get(method)
                if published is None:
                    absent.append(f"{method.upper()} {path} of {service.service}")
                    continue
                assert published["x-relayed-to"] == {"service": service.service, "path": path}
                names = [(p["in"], p["name"]) for p in published.get("parameters", [])]
                assert names == [(p["in"], p["name"]) for p in item[method].get("parameters", [])]
                assert set(item[method]["responses"]) <= set(published["responses"])
                assert ("requestBody" in published) == ("requestBody" in item[method])
                assert access_of(published) is access_of(item[method])
    assert absent == []
    assert sum(len(d["paths"]) for d in documents.values()) > 100


def test_every_reference_resolves_and_clashing_names_are_prefixed() -> None:
    spec = document()
    schemas = spec["components"]["schemas"]
    text = str(spec)
    refs = {part.split("'")[0] for part in text.split("'$ref': '#/components/schemas/")[1:]}
    assert refs <= set(schemas), sorted(refs - set(schemas))
    # The registry and subsidy-claims each take an objection of their own shape: never each other's.
    registry = spec["paths"]["/api/v1/registry/batches/{batch_id}/objections"]["post"]
    subsidy = spec["paths"]["/api/v1/subsidy/claims/{claim_id}/objections"]["post"]
    body_of = lambda op: op["requestBody"]["content"]["application/json"]["schema"]["$ref"]  # noqa: E731
    assert body_of(registry) != body_of(subsidy)
    titles = [schema.get("title", name) for name, schema in schemas.items()]
    assert len(titles) == len(set(titles)), "client generators name classes after titles"
    operation_ids = [op["operationId"] for _, _, op in operations(spec)]
    assert len(operation_ids) == len(set(operation_ids))
    assert all(len(op_id) <= 40 for op_id in operation_ids), [i for i in operation_ids if len(i) > 40]


def test_every_documented_path_is_routed_and_every_relayed_route_documented() -> None:
    spec = document()
    routed: dict[str, set[str]] = {}
    order: list[str] = []
    for context in iter_route_contexts(app().routes):
        if context.path is None or not context.methods:
            continue
        routed.setdefault(context.path, set()).update(m.lower() for m in context.methods)
        order.append(context.path)
    unrouted = [
        f"{method.upper()} {path}"
        for method, path, _ in operations(spec)
        if method not in routed.get(path, set())
    ]
    assert unrouted == []
    relayed_routes = [p for p in routed if p.startswith(RELAY_PREFIXES)]
    assert sorted(p for p in relayed_routes if p not in spec["paths"]) == []
    assert not [p for p in routed if p.startswith(RELAY_PREFIXES) and p not in relayed_routes]
    first_relayed = min(order.index(p) for p in relayed_routes)
    own = [p for p in order if p.startswith("/api/v1/") and not p.startswith(RELAY_PREFIXES)]
    assert own and all(order.index(p) < first_relayed for p in own), "the gateway's own routes come first"


def test_the_committed_service_documents_are_current() -> None:
    """Built from the four service apps in a process of its own (building an app configures logging)."""
    result = subprocess.run(
        [sys.executable, "-m", "gateway.openapi"], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_every_own_route_is_typed_and_every_write_has_an_example() -> None:
    """No ``{"type": "object"}`` in or out of the gateway's own routes: a named model with its members, and an
    example for every body (a generated client and the docs page show it instead of ``additionalProp1``)."""
    spec = document()
    schemas = spec["components"]["schemas"]
    untyped: list[str] = []
    for method, path, operation in operations(spec):
        if not path.startswith("/api/v1/") or path.startswith(RELAY_PREFIXES):
            continue
        where = f"{method.upper()} {path}"
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            name = body["schema"].get("$ref", "").rsplit("/", 1)[-1]
            if name not in schemas or not schemas[name].get("properties"):
                untyped.append(f"{where}: body {body['schema']}")
            elif not (schemas[name].get("examples") or body.get("examples")):
                untyped.append(f"{where}: no example")
        success = next(code for code in operation["responses"] if code.startswith("2"))
        answer = (
            operation["responses"][success].get("content", {}).get("application/json", {}).get("schema", {})
        )
        if not answer.get("$ref"):
            untyped.append(f"{where}: answer {answer}")
    assert untyped == []
