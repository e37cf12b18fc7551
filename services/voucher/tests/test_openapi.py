"""The published API: problems documented, keys accepted, short unique operation IDs, examples on every write,
pages on every list, binary images, and the v1 contracts as the answers other services read."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute

from skills_shared.contracts.v1 import voucher as contracts
from skills_shared.contracts.v1.pagination import Page
from voucher.app import create_app
from voucher.institutions.api import router as institutions
from voucher.lapse.api import router as lapse
from voucher.redeem.api import router as redeem
from voucher.settings import VoucherSettings
from voucher.settlement.api import router as settlement
from voucher.targets.api import router as targets
from voucher.training.api import router as training
from voucher.vouchers.api import router as vouchers

# Routes whose POST is safe to repeat by nature: no key needed.
NATURALLY_REPEATABLE = {
    "/v1/lapse-runs",
    "/v1/me/vouchers/{voucher_id}/qr-token",
    "/v1/institutions/{code}/redeemers",  # granting a staff member twice leaves them granted once
}
APP = create_app(VoucherSettings(database_url="postgresql://unused/x"))
SPEC: dict[str, Any] = APP.openapi()
ROUTES = [
    r
    for router in (institutions, vouchers, redeem, training, settlement, lapse, targets)
    for r in router.routes
    if isinstance(r, APIRoute)
]
OPERATIONS = [
    (path, method, op)
    for path, ops in SPEC["paths"].items()
    if path.startswith("/v1/") and path != "/v1/audit/verify"
    for method, op in ops.items()
]


def test_every_route_documents_problems_and_keys() -> None:
    assert len(OPERATIONS) >= 25
    for path, method, op in OPERATIONS:
        errors = [code for code in op["responses"] if code.startswith("4")]
        assert errors, (method, path)
        for code in errors:
            assert "application/problem+json" in op["responses"][code]["content"], (method, path, code)
        if method == "post" and path not in NATURALLY_REPEATABLE:
            headers = {p["name"].lower() for p in op.get("parameters", []) if p["in"] == "header"}
            assert "idempotency-key" in headers, (method, path)


def test_operation_ids_are_short_unique_and_explicit() -> None:
    ids = [op["operationId"] for _, _, op in OPERATIONS]
    assert len(ids) == len(set(ids))
    for operation_id in ids:
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", operation_id), operation_id


def test_every_write_with_a_body_has_an_example() -> None:
    schemas = SPEC["components"]["schemas"]
    for path, method, op in OPERATIONS:
        body = op.get("requestBody")
        if method == "get" or body is None:
            continue
        ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        assert schemas[ref].get("examples"), (method, path, ref)


def test_every_list_is_a_page_with_page_parameters() -> None:
    for route in ROUTES:
        if "GET" not in route.methods:
            continue
        model = route.response_model
        if isinstance(model, type) and issubclass(model, Page):
            op = SPEC["paths"][route.path]["get"]
            names = {p["name"] for p in op.get("parameters", [])}
            assert {"page", "page_size"} <= names, route.path
            for p in op["parameters"]:
                if p["in"] == "query":
                    assert p.get("description") or p["schema"].get("description"), (route.path, p["name"])
        else:
            assert not (isinstance(model, type) and model.__name__.startswith("list")), route.path
    listed = {r.path for r in ROUTES if "GET" in r.methods}
    pages = {
        r.path for r in ROUTES if isinstance(r.response_model, type) and issubclass(r.response_model, Page)
    }
    assert (
        {
            "/v1/voucher-types",
            "/v1/campaigns",
            "/v1/me/vouchers",
            "/v1/institutions",
            "/v1/institutions/{code}/redeemers",
            "/v1/settlements",
        }
        <= pages
        <= listed
    )


def test_the_qr_image_is_binary() -> None:
    op = SPEC["paths"]["/v1/me/vouchers/{voucher_id}/qr.png"]["get"]
    assert op["responses"]["200"]["content"]["image/png"]["schema"] == {"type": "string", "format": "binary"}


@pytest.mark.parametrize(
    ("method", "path", "contract"),
    [
        ("GET", "/v1/institutions/{code}", contracts.InstitutionV1),
        ("GET", "/v1/classes/{class_id}", contracts.TrainingClassV1),
        ("GET", "/v1/me/vouchers", Page[contracts.VoucherV1]),
        ("POST", "/v1/me/vouchers/claims", contracts.VoucherClaimV1),
        ("POST", "/v1/me/vouchers/{voucher_id}/qr-token", contracts.QrTokenV1),
        ("POST", "/v1/redemptions", contracts.RedemptionV1),
    ],
)
def test_what_the_gateway_reads_is_answered_with_the_v1_contract(
    method: str, path: str, contract: type
) -> None:
    route = next(r for r in ROUTES if r.path == path and method in r.methods)
    assert route.response_model is contract
