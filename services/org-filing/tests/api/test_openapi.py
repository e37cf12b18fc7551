"""The contract is documented: every unsafe route lists its problem+json answers."""

from __future__ import annotations

import httpx


async def test_every_unsafe_route_documents_its_errors(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    unsafe = [
        (path, method, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method in ("post", "put", "patch") and path.startswith("/v1/")
    ]
    assert len(unsafe) >= 20
    for path, method, op in unsafe:
        documented = set(op["responses"])
        assert {"401", "422"} <= documented, (method, path, documented)
        assert "application/problem+json" in op["responses"]["422"]["content"], (method, path)
