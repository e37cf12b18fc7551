"""The relay table and the document merge as pure rules: paths, token rules, encoding, schema names."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.openapi.merge import OWN, merged_document, rewrite_refs, schema_names, short_operation_id
from gateway.relayed.table import (
    RELAYED_SERVICES,
    Access,
    access_of,
    encode_query,
    is_relayed,
    public_path,
    relay_table,
    relayed_paths,
    service_target,
)

VOUCHER = next(s for s in RELAYED_SERVICES if s.prefix == "voucher")
REGISTRY = next(s for s in RELAYED_SERVICES if s.prefix == "registry")
BEARER = {"HTTPBearer": []}


@pytest.mark.parametrize(
    ("security", "access"),
    [
        (None, Access.NONE),
        ([], Access.NONE),
        ([BEARER], Access.REQUIRED),
        ([{}, BEARER], Access.OPTIONAL),
        ([BEARER, {}], Access.OPTIONAL),
    ],
)
def test_access_follows_the_declared_security(security: Any, access: Access) -> None:
    operation = {} if security is None else {"security": security}
    assert access_of(operation) is access


@pytest.mark.parametrize(
    ("path", "relayed"),
    [
        ("/v1/targets", True),
        ("/v1/claims/{claim_id}/approve", True),
        ("/v1/audit/verify", False),
        ("/healthz", False),
        ("/readyz", False),
        ("/metrics", False),
        ("/v2/anything", False),
    ],
)
def test_platform_routes_are_not_relayed(path: str, relayed: bool) -> None:
    assert is_relayed(path) is relayed


def test_public_paths_put_the_service_prefix_in_place_of_v1() -> None:
    assert public_path(VOUCHER, "/v1/targets/chart.png") == "/api/v1/voucher/targets/chart.png"
    assert public_path(REGISTRY, "/v1/certificates/{number}/qr.{kind}") == (
        "/api/v1/registry/certificates/{number}/qr.{kind}"
    )
    assert [s.prefix for s in RELAYED_SERVICES] == ["registry", "filing", "subsidy", "voucher"]


def test_the_table_keeps_document_order_and_methods() -> None:
    document = {
        "paths": {
            "/healthz": {"get": {}},
            "/v1/claims/mine": {"get": {"security": [BEARER]}},
            "/v1/claims/{claim_id}": {"get": {"security": [BEARER]}, "parameters": []},
            "/v1/publicity": {"get": {}},
            "/v1/institutions/{code}": {"get": {"security": [BEARER]}, "patch": {"security": [BEARER]}},
        }
    }
    table = relayed_paths(VOUCHER, document)
    assert [p.service_path for p in table] == [
        "/v1/claims/mine",
        "/v1/claims/{claim_id}",
        "/v1/publicity",
        "/v1/institutions/{code}",
    ]
    assert table[1].methods == ["GET"]
    assert table[2].access_for("GET") is Access.NONE
    assert table[2].access_for("HEAD") is Access.NONE
    assert table[3].methods == ["GET", "PATCH"]


def test_a_missing_document_is_an_error_not_a_silent_loss_of_routes() -> None:
    with pytest.raises(ValueError, match="voucher"):
        relay_table({s.service: {"paths": {}} for s in RELAYED_SERVICES if s.prefix != "voucher"})


@pytest.mark.parametrize(
    ("template", "params", "target"),
    [
        ("/v1/classes/{class_id}", {"class_id": "7"}, "/v1/classes/7"),
        (
            "/v1/certificates/{number}/qr.{kind}",
            {"number": "S1", "kind": "png"},
            "/v1/certificates/S1/qr.png",
        ),
        ("/v1/institutions/{code}", {"code": "中 心"}, "/v1/institutions/%E4%B8%AD%20%E5%BF%83"),
        ("/v1/batches/{batch_id}", {"batch_id": ".."}, "/v1/batches/%2E%2E"),
        ("/v1/batches/{batch_id}", {"batch_id": "."}, "/v1/batches/%2E"),
        ("/v1/batches/{batch_id}", {"batch_id": "a?b#c%"}, "/v1/batches/a%3Fb%23c%25"),
        ("/v1/batches/{batch_id}", {"batch_id": "a..b"}, "/v1/batches/a..b"),
    ],
)
def test_path_parameters_are_encoded_back_as_one_segment(
    template: str, params: dict[str, str], target: str
) -> None:
    assert service_target(template, params) == target


@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1).filter(lambda v: "/" not in v))
def test_a_parameter_never_adds_a_segment_or_a_query(value: str) -> None:
    target = service_target("/v1/classes/{class_id}", {"class_id": value})
    assert target.count("/") == 3
    assert "?" not in target and "#" not in target
    assert target.split("/")[-1] not in (".", "..")


@pytest.mark.parametrize(
    ("raw", "sent"),
    [
        (b"district=05&page=2", "district=05&page=2"),
        (b"q=%E4%B8%AD&x=a+b", "q=%E4%B8%AD&x=a+b"),
        ("q=中".encode(), "q=%E4%B8%AD"),
        (b"a=1 2", "a=1%202"),
        (b"a=%23&b=#", "a=%23&b=%23"),
    ],
)
def test_the_query_goes_on_as_sent_and_is_encoded_only_where_it_must_be(raw: bytes, sent: str) -> None:
    assert encode_query(raw) == sent


PROBLEM = {"type": "object", "properties": {"code": {"type": "string"}}}


def test_identical_schemas_are_shared_and_different_ones_prefixed() -> None:
    names = schema_names(
        {
            OWN: {"ProblemModel": PROBLEM, "ClaimView": {"type": "object"}},
            "voucher": {"ProblemModel": PROBLEM, "ObjectionIn": {"type": "string"}, "Only": {}},
            "subsidy-claims": {"ProblemModel": PROBLEM, "ObjectionIn": {"type": "integer"}},
        },
        {OWN: "", "voucher": "Voucher", "subsidy-claims": "Subsidy"},
    )
    assert names["voucher"] == {
        "ProblemModel": "ProblemModel",
        "ObjectionIn": "VoucherObjectionIn",
        "Only": "Only",
    }
    assert names["subsidy-claims"]["ObjectionIn"] == "SubsidyObjectionIn"


def test_a_same_looking_schema_pointing_at_a_renamed_one_is_renamed_too() -> None:
    wrapper = {"$ref": "#/components/schemas/Item"}
    names = schema_names(
        {
            OWN: {"Wrapper": wrapper, "Item": {"type": "string"}},
            "voucher": {"Wrapper": wrapper, "Item": {"type": "integer"}},
        },
        {OWN: "", "voucher": "Voucher"},
    )
    assert names["voucher"] == {"Wrapper": "VoucherWrapper", "Item": "VoucherItem"}
    assert names[OWN] == {"Wrapper": "Wrapper", "Item": "Item"}


def test_a_prefixed_name_that_is_taken_is_an_error() -> None:
    with pytest.raises(ValueError, match="VoucherItem"):
        schema_names(
            {OWN: {"Item": {"type": "string"}, "VoucherItem": {}}, "voucher": {"Item": {"type": "integer"}}},
            {OWN: "", "voucher": "Voucher"},
        )


def test_refs_are_rewritten_everywhere() -> None:
    node = {"a": [{"$ref": "#/components/schemas/X"}, {"items": {"$ref": "#/components/schemas/Y"}}]}
    assert rewrite_refs(node, {"X": "VX"}) == {
        "a": [{"$ref": "#/components/schemas/VX"}, {"items": {"$ref": "#/components/schemas/Y"}}]
    }


def _service_document() -> dict[str, Any]:
    return {
        "paths": {
            "/healthz": {"get": {"responses": {"200": {"description": "ok"}}}},
            "/v1/objections": {
                "post": {
                    "operationId": "object",
                    "tags": ["objections"],
                    "security": [BEARER],
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/ObjectionIn"}}
                        }
                    },
                    "responses": {"201": {"description": "made"}},
                }
            },
            "/v1/public": {"get": {"responses": {"200": {"description": "ok"}}}},
        },
        "components": {
            "schemas": {"ObjectionIn": {"type": "integer"}},
            "securitySchemes": {"HTTPBearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def test_the_merge_adds_relayed_operations_with_what_the_gateway_answers() -> None:
    own = {
        "openapi": "3.1.0",
        "paths": {"/api/v1/me": {"get": {"responses": {}}}},
        "components": {"schemas": {"ObjectionIn": {"type": "string"}}},
        "tags": [],
    }
    service = _service_document()
    merged = merged_document(own, [(VOUCHER, service)])
    assert "/api/v1/voucher/healthz" not in merged["paths"]
    operation = merged["paths"]["/api/v1/voucher/objections"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/VoucherObjectionIn"
    }
    assert operation["operationId"] == "voucher.object"
    assert operation["tags"] == ["voucher: objections"]
    assert {"201", "401", "429", "503"} <= set(operation["responses"])
    assert operation["x-relayed-to"] == {"service": "voucher", "path": "/v1/objections"}
    public = merged["paths"]["/api/v1/voucher/public"]["get"]
    assert "401" not in public["responses"] and "429" in public["responses"]
    assert merged["components"]["schemas"]["ObjectionIn"] == {"type": "string"}
    assert merged["components"]["schemas"]["VoucherObjectionIn"] == {"type": "integer"}
    assert merged["components"]["securitySchemes"] == {"HTTPBearer": {"type": "http", "scheme": "bearer"}}
    assert own["paths"].keys() == {"/api/v1/me"}, "the inputs are left as they were"
    assert service == _service_document()


def test_a_relayed_path_that_the_gateway_serves_itself_is_refused() -> None:
    own = {"paths": {"/api/v1/voucher/public": {"get": {"responses": {}}}}}
    with pytest.raises(ValueError, match="both"):
        merged_document(own, [(VOUCHER, _service_document())])


def test_operation_ids_are_short_prefixed_and_unique() -> None:
    generated = "approve_v1_claims__claim_id__approve_post"
    assert (
        short_operation_id({"operationId": generated}, "/v1/claims/{claim_id}/approve", "post") == "approve"
    )
    assert short_operation_id({"operationId": "claims.approve"}, "/v1/x", "post") == "claims.approve"
    assert short_operation_id({}, "/v1/x", "get") is None
    own = {
        "paths": {
            "/api/v1/audit/{service}/verify": {"get": {"operationId": "audit.verify", "responses": {}}},
            "/v1/audit/verify": {"get": {"operationId": "audit_verify_v1_audit_verify_get", "responses": {}}},
        }
    }
    service = _service_document()
    service["paths"]["/v1/objections"]["post"]["operationId"] = "object_v1_objections_post"
    merged = merged_document(own, [(VOUCHER, service)])
    ids = {
        path: op["operationId"]
        for path, item in merged["paths"].items()
        for op in item.values()
        if "operationId" in op
    }
    assert ids["/api/v1/voucher/objections"] == "voucher.object"
    # ``audit.verify`` and ``audit_verify`` would be one method of a generated client: both keep their full IDs
    assert ids["/api/v1/audit/{service}/verify"] == "audit.verify"
    assert ids["/v1/audit/verify"] == "audit_verify_v1_audit_verify_get"


def test_titles_are_unique_across_the_merged_document() -> None:
    own = {
        "paths": {},
        "components": {"schemas": {"ObjectionIn": {"type": "string", "title": "ObjectionIn"}}},
    }
    service = _service_document()
    service["components"]["schemas"]["ObjectionIn"] = {"type": "integer", "title": "ObjectionIn"}
    service["components"]["schemas"]["Other"] = {"type": "object", "title": "ObjectionIn"}
    schemas = merged_document(own, [(VOUCHER, service)])["components"]["schemas"]
    titles = [schema.get("title", name) for name, schema in schemas.items()]
    assert len(titles) == len(set(titles)), titles
    assert schemas["VoucherObjectionIn"]["title"] == "VoucherObjectionIn"


BINARY = {"type": "string", "format": "binary"}


def test_bytes_answers_are_typed_binary_and_a_body_has_one_media_type() -> None:
    service = _service_document()
    service["paths"]["/v1/report.pdf"] = {
        "get": {"responses": {"200": {"description": "ok", "content": {"application/pdf": {}}}}}
    }
    service["paths"]["/v1/photo"] = {
        "put": {
            "requestBody": {
                "description": "JPEG or PNG.",
                "content": {
                    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                    "image/png": {"schema": {"type": "string", "format": "binary"}},
                },
            },
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}},
        }
    }
    merged = merged_document({"paths": {}}, [(VOUCHER, service)])
    pdf = merged["paths"]["/api/v1/voucher/report.pdf"]["get"]["responses"]["200"]["content"]
    assert pdf == {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    photo = merged["paths"]["/api/v1/voucher/photo"]["put"]["requestBody"]
    assert list(photo["content"]) == ["image/jpeg"] and "image/png" in photo["description"]
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    service["paths"]["/v1/rows"] = {
        "put": {
            "requestBody": {"content": {xlsx: {"schema": dict(BINARY)}, "application/json": {"schema": {}}}},
            "responses": {},
        }
    }
    rows = merged_document({"paths": {}}, [(VOUCHER, service)])["paths"]["/api/v1/voucher/rows"]["put"]
    assert list(rows["requestBody"]["content"]) == ["application/json"], "JSON is kept where it is offered"
    assert xlsx in rows["requestBody"]["description"]
    answer = merged["paths"]["/api/v1/voucher/photo"]["put"]["responses"]["200"]["content"]
    assert answer == {"application/json": {"schema": {}}}, "JSON answers are left as they are"
