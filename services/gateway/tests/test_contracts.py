"""The gateway's contracts with each provider, checked against the provider's real app (its own factory's OpenAPI
document, built in this process): every member of a body the gateway sends is one the provider's route takes,
and every member the gateway reads from an answer is one the provider's route gives. Renaming a field or a route
in a provider fails here, before any workflow runs; the workflow tests then prove the same against the running
services (an answer off its contract is a 502 naming the provider, ``test_workflows``)."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from pydantic import AliasChoices, BaseModel

from gateway import paths
from gateway.openapi.snapshot import build_document
from gateway.relayed.table import RELAYED_SERVICES
from skills_shared.app import ChainReportModel
from skills_shared.contracts.v1 import gateway as public
from skills_shared.contracts.v1.org_filing import FilingBody, FilingPlan
from skills_shared.contracts.v1.registry import (
    BatchOpen,
    CertificateBatch,
    IssueOutcome,
    PublicCertificate,
    ResultsUploaded,
)
from skills_shared.contracts.v1.subsidy import ClaimDraft, SubsidyClaim
from skills_shared.contracts.v1.voucher import QrTokenV1, RedemptionV1, VoucherClaimV1, VoucherV1

REGISTRY, ORG_FILING, SUBSIDY, VOUCHER = "certificate-registry", "org-filing", "subsidy-claims", "voucher"
JSON = "application/json"


@cache
def document(service: str) -> dict[str, Any]:
    """The provider's OpenAPI document, from an app its own factory built (no database is opened)."""
    spec = next(s for s in RELAYED_SERVICES if s.service == service)
    built: dict[str, Any] = build_document(spec)
    return built


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A schema with its ``$ref`` (and a one-member ``allOf`` or nullable ``anyOf``) followed."""
    while True:
        if "$ref" in schema:
            schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        elif len(schema.get("allOf", [])) == 1:
            schema = schema["allOf"][0]
        elif "anyOf" in schema and len([s for s in schema["anyOf"] if s.get("type") != "null"]) == 1:
            schema = next(s for s in schema["anyOf"] if s.get("type") != "null")
        else:
            return schema


def operation(service: str, method: str, path: str) -> dict[str, Any]:
    spec = document(service)
    assert path in spec["paths"], f"{service} no longer serves {path}"
    assert method in spec["paths"][path], f"{service} no longer answers {method.upper()} {path}"
    found: dict[str, Any] = spec["paths"][path][method]
    return found


def request_schema(service: str, method: str, path: str) -> dict[str, Any]:
    body = operation(service, method, path)["requestBody"]["content"][JSON]["schema"]
    return resolve(document(service), body)


def answer_schema(service: str, method: str, path: str) -> dict[str, Any]:
    responses = operation(service, method, path)["responses"]
    status = min(code for code in responses if code.startswith("2"))
    return resolve(document(service), responses[status]["content"][JSON]["schema"])


def names(model: type[BaseModel], name: str) -> set[str]:
    """The names a member goes by on the wire: its own, or any of its accepted aliases."""
    info = model.model_fields[name]
    alias = info.validation_alias
    if isinstance(alias, AliasChoices):
        return {choice for choice in alias.choices if isinstance(choice, str)}
    return {alias if isinstance(alias, str) else name}


def sent_members_missing(
    spec: dict[str, Any], model: type[BaseModel], schema: dict[str, Any], where: str = ""
) -> list[str]:
    """Members the gateway sends that the provider's request schema does not take (into nested objects too)."""
    properties = schema.get("properties", {})
    missing = []
    for name, info in model.model_fields.items():
        taken = names(model, name) & set(properties)
        if not taken:
            missing.append(f"{where}{name}")
            continue
        nested = _model_in(info.annotation)
        if nested is None:
            continue
        prop = resolve(spec, properties[next(iter(taken))])
        if prop.get("type") == "array":
            prop = resolve(spec, prop.get("items", {}))
        if prop.get("properties"):
            missing += sent_members_missing(spec, nested, prop, f"{where}{name}.")
    return missing


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside ``X``, ``X | None`` or ``list[X]``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


SENT = [
    (ORG_FILING, "post", paths.ORG_APPLICATIONS, public.BodyApplication),
    (ORG_FILING, "post", paths.ORG_APPLICATION_STEPS["evaluation"], public.ApplicationEvaluation),
    (ORG_FILING, "post", paths.ORG_APPLICATION_STEPS["rejection"], public.ApplicationRejection),
    (ORG_FILING, "post", paths.ORG_APPLICATION_STEPS["publication"], public.ApplicationPublication),
    (ORG_FILING, "post", paths.ORG_APPLICATION_STEPS["filing"], public.ApplicationFiling),
    (ORG_FILING, "post", paths.ORG_BODY_PLANS, public.PlanFiling),
    (REGISTRY, "post", paths.REGISTRY_BATCHES, BatchOpen),
    (REGISTRY, "put", paths.REGISTRY_BATCH_RESULTS, public.BatchResults),
    (SUBSIDY, "post", paths.SUBSIDY_CLAIMS, ClaimDraft),
    (SUBSIDY, "post", paths.SUBSIDY_CLAIM_MOVES["approve"], public.ClaimApproval),
    (SUBSIDY, "post", paths.SUBSIDY_CLAIM_MOVES["reject"], public.ClaimRejection),
    (VOUCHER, "post", paths.VOUCHER_CLAIMS, public.VoucherClaimRequest),
    (VOUCHER, "post", paths.VOUCHER_REDEMPTIONS, public.RedemptionRequest),
]


@pytest.mark.parametrize(("service", "method", "path", "model"), SENT, ids=[f"{s[0]} {s[2]}" for s in SENT])
def test_every_member_the_gateway_sends_is_taken(
    service: str, method: str, path: str, model: type[BaseModel]
) -> None:
    missing = sent_members_missing(document(service), model, request_schema(service, method, path))
    assert missing == [], f"{service} {method.upper()} {path} does not take {missing}"


READ = [
    (REGISTRY, "get", paths.REGISTRY_PUBLIC_LOOKUP, PublicCertificate),
    (REGISTRY, "post", paths.REGISTRY_BATCHES, CertificateBatch),
    (REGISTRY, "get", paths.REGISTRY_BATCH, CertificateBatch),
    (REGISTRY, "put", paths.REGISTRY_BATCH_RESULTS, ResultsUploaded),
    (REGISTRY, "post", paths.REGISTRY_BATCH_PUBLICITY, CertificateBatch),
    (REGISTRY, "post", paths.REGISTRY_BATCH_APPROVAL, CertificateBatch),
    (REGISTRY, "post", paths.REGISTRY_BATCH_ISSUE, IssueOutcome),
    (ORG_FILING, "post", paths.ORG_APPLICATIONS, public.FilingApplicationRecord),
    (ORG_FILING, "post", paths.ORG_APPLICATION_SUBMIT, public.FilingApplicationRecord),
    (ORG_FILING, "post", paths.ORG_APPLICATION_STEPS["filing"], public.FilingApplicationRecord),
    (ORG_FILING, "post", paths.ORG_BODY_PLANS, FilingPlan),
    (ORG_FILING, "get", paths.ORG_BODY, FilingBody),
    (ORG_FILING, "post", paths.ORG_BODY_STATUS_MOVES["suspend"], FilingBody),
    (SUBSIDY, "post", paths.SUBSIDY_CLAIM_SUBMIT, SubsidyClaim),
    (SUBSIDY, "get", paths.SUBSIDY_CLAIM, SubsidyClaim),
    (SUBSIDY, "post", paths.SUBSIDY_CLAIM_MOVES["approve"], SubsidyClaim),
    (VOUCHER, "post", paths.VOUCHER_CLAIMS, VoucherClaimV1),
    (VOUCHER, "post", paths.VOUCHER_QR_TOKEN, QrTokenV1),
    (VOUCHER, "post", paths.VOUCHER_REDEMPTIONS, RedemptionV1),
]


@pytest.mark.parametrize(
    ("service", "method", "path", "model"), READ, ids=[f"{r[0]} {r[1]} {r[2]}" for r in READ]
)
def test_every_member_the_gateway_reads_is_answered(
    service: str, method: str, path: str, model: type[BaseModel]
) -> None:
    answered = set(answer_schema(service, method, path).get("properties", {}))
    needed = [n for n, info in model.model_fields.items() if info.is_required()]
    missing = [n for n in needed if not names(model, n) & answered]
    assert missing == [], f"{service} {method.upper()} {path} no longer answers {missing}"


@pytest.mark.parametrize(
    ("service", "path", "item"),
    [
        (REGISTRY, paths.REGISTRY_HOLDER_CERTIFICATES, PublicCertificate),
        (SUBSIDY, paths.SUBSIDY_MY_CLAIMS, SubsidyClaim),
        (VOUCHER, paths.VOUCHER_MINE, VoucherV1),
    ],
)
def test_my_things_reads_one_page_envelope_of_each_list(
    service: str, path: str, item: type[BaseModel]
) -> None:
    spec = document(service)
    page = answer_schema(service, "get", path)
    assert {"items", "page", "page_size", "total"} <= set(page.get("properties", {})), page
    items = resolve(spec, page["properties"]["items"]["items"])
    needed = [n for n, info in item.model_fields.items() if info.is_required()]
    assert [n for n in needed if not names(item, n) & set(items.get("properties", {}))] == []


@pytest.mark.parametrize("service", [s.service for s in RELAYED_SERVICES])
def test_every_service_verifies_its_audit_chain_for_inspectors(service: str) -> None:
    answered = set(answer_schema(service, "get", "/v1/audit/verify").get("properties", {}))
    assert set(ChainReportModel.model_fields) <= answered
