"""The registry's public surface as a partner reads it: every write documents a valid example, every list is a
Page, and what it answers other services is the v1 contract (so a renamed member fails here first)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel

from certificate_registry.batches import api as batches_api
from certificate_registry.certificates import api as certificates_api
from certificate_registry.issuers import api as issuers_api
from certificate_registry.numbers import api as numbers_api
from certificate_registry.reporting import api as reporting_api
from skills_shared.contracts.v1 import registry as contract
from skills_shared.contracts.v1.pagination import Page

OWN_TAGS = {"issuers", "batches", "certificates", "certificate numbers", "reporting"}


@pytest.fixture(scope="module")
def routes() -> list[APIRoute]:
    """The routes of the registry's own domains (the documents' routes are documented beside them)."""
    routers = (
        batches_api.router,
        certificates_api.router,
        issuers_api.router,
        numbers_api.router,
        reporting_api.router,
    )
    found = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    assert all(OWN_TAGS & set(r.tags) for r in found)
    return found


def _examples(model: type[BaseModel]) -> list[dict[str, Any]]:
    extra = model.model_config.get("json_schema_extra")
    return list(extra.get("examples", [])) if isinstance(extra, dict) else []


def test_every_write_with_a_body_documents_a_valid_example(routes: list[APIRoute]) -> None:
    writes = [r for r in routes if r.methods & {"POST", "PUT"} and r.body_field is not None]
    assert len(writes) >= 6
    for route in writes:
        assert route.body_field is not None
        model = route.body_field.field_info.annotation
        examples = _examples(model)
        assert examples, f"{route.path} documents no example"
        for example in examples:
            model.model_validate(example)


def test_every_list_is_a_page(routes: list[APIRoute]) -> None:
    lists = {
        r.path: r.response_model for r in routes if r.path.endswith(("objections", "certificates", "counts"))
    }
    for path, model in lists.items():
        if path.endswith("/objections") and model is not None and "resolution" not in path:
            assert issubclass(model, Page), path
    mine = next(r for r in routes if r.path == "/v1/me/certificates")
    assert mine.response_model == Page[contract.PublicCertificate]


@pytest.mark.parametrize(
    ("method", "path", "model"),
    [
        ("PUT", "/v1/issuers/{code}", contract.IssuerRecord),
        ("POST", "/v1/batches", contract.CertificateBatch),
        ("GET", "/v1/batches/{batch_id}", contract.CertificateBatch),
        ("PUT", "/v1/batches/{batch_id}/results", contract.ResultsUploaded),
        ("POST", "/v1/batches/{batch_id}/issue", contract.IssueOutcome),
        ("GET", "/v1/certificates/{number}", contract.PublicCertificate),
        ("GET", "/v1/certificates/{number}/record", contract.CertificateRecord),
        ("GET", "/v1/certificate-numbers/{number}", contract.CertificateNumberParts),
    ],
)
def test_answers_to_other_services_are_the_v1_contract(
    routes: list[APIRoute], method: str, path: str, model: type[BaseModel]
) -> None:
    route = next(r for r in routes if r.path == path and method in r.methods)
    assert route.response_model is model


def test_requests_from_other_services_are_the_v1_contract(routes: list[APIRoute]) -> None:
    bodies = {
        (next(iter(r.methods)), r.path): r.body_field.field_info.annotation
        for r in routes
        if r.body_field is not None
    }
    assert bodies[("PUT", "/v1/issuers/{code}")] is contract.IssuerSync
    assert bodies[("POST", "/v1/batches")] is contract.BatchOpen
    assert bodies[("PUT", "/v1/batches/{batch_id}/results")] is contract.ResultsUpload
