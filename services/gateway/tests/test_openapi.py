"""One OpenAPI document for the whole public API: every route there, every error documented as problem+json."""

from __future__ import annotations

from typing import Any

from gateway.app import create_app
from gateway.settings import GatewaySettings

PROBLEM = "application/problem+json"


def document() -> dict[str, Any]:
    spec: dict[str, Any] = create_app(GatewaySettings()).openapi()
    return spec


def test_every_public_route_documents_its_errors() -> None:
    spec = document()
    missing: list[str] = []
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            responses = operation["responses"]
            errors = {code for code in responses if code.startswith(("4", "5"))}
            if "429" not in errors:
                missing.append(f"{method.upper()} {path}: 429 (rate limit) undocumented")
            for code in errors - {"429"}:
                if PROBLEM not in responses[code].get("content", {}):
                    missing.append(f"{method.upper()} {path}: {code} not problem+json")
            if path != "/api/v1/certificates/{number}" and "401" not in errors:
                missing.append(f"{method.upper()} {path}: 401 undocumented")
            if method == "post" and "503" not in errors and path != "/api/v1/me":
                missing.append(f"{method.upper()} {path}: 503 (a service down) undocumented")
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
