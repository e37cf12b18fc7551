"""The service's OpenAPI document is one a partner can generate a client from (issue 15).

Every route documents its problem+json answers and has a short unique operation ID; every write has an example;
no body or answer is a free-form object; every list answers the one ``Page`` envelope; CSV answers are binary; and
every schema title is unique, here and among the other services' documents, so a generated client keeps every
operation (two schemas titled ``ReasonIn`` once cost the merged document four operations).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

SNAPSHOTS = Path(__file__).resolve().parents[2] / "gateway" / "src" / "gateway" / "openapi" / "services"
PLATFORM_SCHEMAS = {"ProblemModel", "FieldError", "Health", "ChainReportModel"}
"""Schemas every service takes from ``skills_shared`` unchanged; the merged document keeps one of each."""
WRITES = {"post", "put", "patch", "delete"}


async def spec_of(client: httpx.AsyncClient) -> dict[str, Any]:
    spec: dict[str, Any] = (await client.get("/openapi.json")).json()
    return spec


def own_operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, operations in spec["paths"].items()
        if path.startswith("/v1/") and not path.startswith("/v1/audit")
        for method, operation in operations.items()
    ]


def refs(node: Any) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str):
                found.add(ref.rsplit("/", 1)[-1])
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return found


async def test_every_route_documents_its_errors(client: httpx.AsyncClient) -> None:
    spec = await spec_of(client)
    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        if path.startswith("/v1/")
        for method, operation in operations.items()
        if not any(code.startswith("4") for code in operation["responses"])
    ]
    assert undocumented == []
    submit = spec["paths"]["/v1/claims/{claim_id}/submit"]["post"]
    assert {"409", "422", "502", "503"} <= set(submit["responses"])
    assert any(p["name"] == "idempotency-key" and p["required"] for p in submit["parameters"])


async def test_operation_ids_are_short_unique_and_dotted(client: httpx.AsyncClient) -> None:
    ids = [operation.get("operationId", "") for _, _, operation in own_operations(await spec_of(client))]
    assert len(ids) == len(set(ids))
    assert all(len(i.split(".")) == 2 and len(i) <= 40 for i in ids), ids
    assert {"claims.reject", "claims.request_material", "claims.object", "claims.claw_back"} <= set(ids)


async def test_every_write_with_a_body_has_an_example(client: httpx.AsyncClient) -> None:
    spec = await spec_of(client)
    schemas = spec["components"]["schemas"]
    missing = []
    for path, method, operation in own_operations(spec):
        if method not in WRITES or "requestBody" not in operation:
            continue
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        name = schema["$ref"].rsplit("/", 1)[-1]
        if not schemas[name].get("examples"):
            missing.append(f"{method.upper()} {path} ({name})")
    assert missing == []


async def test_no_free_form_object_in_or_out(client: httpx.AsyncClient) -> None:
    spec = await spec_of(client)
    schemas = spec["components"]["schemas"]
    reachable: set[str] = set()
    frontier = refs([operation for _, _, operation in own_operations(spec)])
    while frontier:
        name = frontier.pop()
        if name in reachable or name in PLATFORM_SCHEMAS:
            continue
        reachable.add(name)
        frontier |= refs(schemas[name])
    loose = [
        name
        for name in sorted(reachable)
        if schemas[name].get("type") == "object"
        and (
            not schemas[name].get("properties")
            or schemas[name].get("additionalProperties") not in (None, False)
        )
    ]
    assert loose == []


async def test_every_list_is_a_page_and_csv_is_binary(client: httpx.AsyncClient) -> None:
    spec = await spec_of(client)
    for path, method, operation in own_operations(spec):
        ok = operation["responses"].get("200", {}).get("content", {})
        if method == "get" and "application/json" in ok:
            schema = ok["application/json"]["schema"]
            assert schema.get("type") != "array", path
        if "text/csv" in ok:
            assert ok["text/csv"]["schema"] == {"type": "string", "format": "binary"}, path
    mine = spec["paths"]["/v1/claims/mine"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    assert mine["$ref"].endswith("Page_SubsidyClaim_")
    queue_params = {p["name"]: p for p in spec["paths"]["/v1/claims/queue"]["get"]["parameters"]}
    assert {"page", "page_size", "district_code", "overdue"} <= set(queue_params)
    assert queue_params["district"]["deprecated"] is True


async def test_every_schema_title_is_unique_in_the_suite(client: httpx.AsyncClient) -> None:
    spec = await spec_of(client)
    titles = {name: schema.get("title", name) for name, schema in spec["components"]["schemas"].items()}
    assert len(set(titles.values())) == len(titles)
    elsewhere: dict[str, str] = {}
    for snapshot in SNAPSHOTS.glob("*.json"):
        if snapshot.stem == "subsidy-claims":
            continue
        for name, schema in json.loads(snapshot.read_text(encoding="utf-8"))["components"]["schemas"].items():
            elsewhere[schema.get("title", name)] = snapshot.stem
    clashes = {
        title: elsewhere[title]
        for name, title in titles.items()
        if title in elsewhere and name not in PLATFORM_SCHEMAS
    }
    assert clashes == {}


def test_every_documented_example_is_accepted_by_its_model() -> None:
    """A partner copying an example from the document gets past validation."""
    from typing import Any as AnyType

    from fastapi.routing import APIRoute
    from pydantic import BaseModel

    from subsidy_claims.claims import api as claims_api
    from subsidy_claims.policies import api as policies_api

    bodies: set[type[BaseModel]] = set()
    for router in (claims_api.router, policies_api.router):
        for route in router.routes:
            if isinstance(route, APIRoute) and route.body_field is not None:
                annotation = route.body_field.field_info.annotation
                if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                    bodies.add(annotation)
    assert len(bodies) >= 12
    for model in bodies:
        extra: AnyType = model.model_config.get("json_schema_extra") or {}
        assert extra.get("examples"), model.__name__
        for example in extra["examples"]:
            model.model_validate(example)
