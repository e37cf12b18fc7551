"""Every route of the service documents its problem+json answers."""

from __future__ import annotations

import httpx


async def test_every_route_documents_its_errors(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        if path.startswith("/v1/") and path != "/v1/policies"
        for method, operation in operations.items()
        if not any(code.startswith("4") for code in operation["responses"])
    ]
    assert undocumented == []
    submit = spec["paths"]["/v1/claims/{claim_id}/submit"]["post"]
    assert {"409", "422", "503"} <= set(submit["responses"])
    assert any(p["name"] == "idempotency-key" and p["required"] for p in submit["parameters"])
