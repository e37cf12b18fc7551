"""Every route documents its error responses as problem+json; unsafe creating POSTs accept Idempotency-Key."""

from __future__ import annotations

from voucher.app import create_app
from voucher.settings import VoucherSettings

# Routes whose POST is safe to repeat by nature: no key needed.
NATURALLY_REPEATABLE = {
    "/v1/lapse-runs",
    "/v1/me/vouchers/{voucher_id}/qr-token",
    "/v1/institutions/{code}/redeemers",  # granting a staff member twice leaves them granted once
}


def test_every_route_documents_problems_and_keys() -> None:
    spec = create_app(VoucherSettings(database_url="postgresql://unused/x")).openapi()
    voucher_paths = {
        p: ops for p, ops in spec["paths"].items() if p.startswith("/v1/") and p != "/v1/audit/verify"
    }
    assert len(voucher_paths) >= 20
    for path, ops in voucher_paths.items():
        for method, op in ops.items():
            errors = [code for code in op["responses"] if code.startswith("4")]
            if path != "/v1/voucher-types" or method != "get":
                assert errors, (method, path)
            for code in errors:
                assert "application/problem+json" in op["responses"][code]["content"], (method, path, code)
            if method == "post" and path not in NATURALLY_REPEATABLE:
                headers = {p["name"].lower() for p in op.get("parameters", []) if p["in"] == "header"}
                assert "idempotency-key" in headers, (method, path)
