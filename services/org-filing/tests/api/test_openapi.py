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


def _domain_operations(spec: dict) -> list[tuple[str, str, dict]]:  # type: ignore[type-arg]
    return [
        (path, method, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if path.startswith("/v1/") and not path.startswith("/v1/audit")
    ]


async def test_operation_ids_are_short_explicit_and_unique(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    ids = [op["operationId"] for _, _, op in _domain_operations(spec)]
    assert len(ids) == len(set(ids)) >= 45
    for op_id in ids:
        area, _, verb = op_id.partition(".")
        assert area and verb and len(op_id) <= 40 and "_v1_" not in op_id, op_id


async def test_every_list_is_a_page_and_every_write_has_an_example(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    for path, method, op in _domain_operations(spec):
        ok = next(v for k, v in op["responses"].items() if k.startswith("2"))
        schema = ok.get("content", {}).get("application/json", {}).get("schema", {})
        assert schema.get("type") != "array", (method, path)
        if method == "get" and "$ref" in schema and schema["$ref"].rsplit("/", 1)[1].startswith("Page_"):
            names = {p["name"] for p in op.get("parameters", [])}
            assert {"page", "page_size"} <= names, path
        if method in ("post", "put", "patch") and "requestBody" in op:
            ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            assert schemas[ref].get("examples"), (method, path, ref)


async def test_no_untyped_object_in_any_answer(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    platform = {"ChainReportModel"}  # the shared audit verifier's report, not an org-filing answer
    for name, schema in spec["components"]["schemas"].items():
        if name in platform:
            continue
        for field, prop in schema.get("properties", {}).items():
            untyped = prop.get("type") == "object" and "properties" not in prop
            values = prop.get("additionalProperties", True)
            assert not (untyped and (values is True or values == {} or values.get("additionalProperties"))), (
                name,
                field,
            )
        assert "place_code" not in schema.get("properties", {}), name


async def test_the_pdf_receipt_is_binary(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    content = spec["paths"]["/v1/bodies/{code}/receipt.pdf"]["get"]["responses"]["200"]["content"]
    assert content["application/pdf"]["schema"] == {"type": "string", "format": "binary"}
