"""The certificate check against certificate-registry's real app (in-process, on its own real database).

subsidy-claims reads ``GET /v1/certificates/{number}/record`` and parses it into the registry's v1 contract
(``CertificateRecord``). These tests hold the registry to that contract from the consumer's side: the route the
client calls exists and answers the contract's schema, and a claim submits against what the real registry answers.
A field renamed in the registry's answer fails them (the parse is a 502 naming certificate-registry), as does a
moved route (a 404: the certificate "does not exist"). An answer off the contract is refused, never half-read.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from certificate_registry.app import MIGRATIONS_DIR as REGISTRY_MIGRATIONS_DIR
from certificate_registry.app import create_app as create_registry_app
from certificate_registry.settings import RegistrySettings
from skills_shared.auth import Role
from skills_shared.certnumber import build
from skills_shared.clock import FixedClock
from skills_shared.contracts.v1.registry import CertificateRecord
from skills_shared.testing import auth_headers, fresh_database, running_app
from skills_shared.validators import make_resident_id
from subsidy_claims.app import create_app
from subsidy_claims.claims.registry import RECORD_PATH, REGISTRY
from subsidy_claims.settings import SubsidySettings

BODY = "S000050050001"
ISSUED = date(2026, 5, 20)


@pytest.fixture(scope="module")
def registry_database_url() -> Iterator[str]:
    with fresh_database("certificate_registry", REGISTRY_MIGRATIONS_DIR) as url:
        yield url


@pytest.fixture(scope="module")
def registry_app(registry_database_url: str) -> FastAPI:
    return create_registry_app(
        RegistrySettings(database_url=registry_database_url, environment="test", log_level="WARNING")
    )


@pytest.fixture(scope="module")
async def registry_client(registry_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(registry_app) as c:
        yield c


@pytest.fixture(scope="module")
async def subsidy_client(
    settings: SubsidySettings, registry_app: FastAPI, registry_client: httpx.AsyncClient
) -> AsyncIterator[httpx.AsyncClient]:
    """subsidy-claims on its test database, with the real registry app behind its real registry client."""
    app = create_app(settings, registry_transport=httpx.ASGITransport(app=registry_app))
    app.state.clock = FixedClock.on(date(2026, 6, 15))
    async with running_app(app) as c:
        yield c


async def _issued_certificate(
    registry_client: httpx.AsyncClient, registry_database_url: str
) -> dict[str, Any]:
    """An issuer filed through the registry's own API (org-filing's outbox route) and one certificate of it, as
    issuance leaves it in the registry's table (issuing through a batch needs org-filing's plan check too)."""
    issuer = await registry_client.put(
        f"/v1/issuers/{BODY}",
        json={
            "name": "重庆市某职业技能评价中心",
            "status": "active",
            "scope": [
                {
                    "occupation_code": "4-01-02-03",
                    "occupation_name": "电子商务师",
                    "work_types": [],
                    "levels": [3],
                }
            ],
            "level_scope": "district",
            "valid_from": "2025-01-01",
            "valid_to": "2027-12-31",
        },
        headers=auth_headers(Role.SERVICE, sub="org-filing"),
    )
    assert issuer.status_code in (200, 201), issuer.text
    holder = make_resident_id("500103", date(1990, 3, 7), 2 * (uuid.uuid4().int % 400) + 1)
    number = build("S", "0000", "50", "05", 1, ISSUED.year, 3, uuid.uuid4().int % 900_000 + 1)
    engine: AsyncEngine = create_async_engine(registry_database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO certificates (number, body_code, year, level, serial, holder_name, id_number, "
                    "gender, occupation_code, occupation_name, work_type, obtained_by, issue_date, body_name, "
                    "body_place, status) VALUES (:number, :body, :year, 3, :serial, '张三', :holder, 'M', "
                    "'4-01-02-03', '电子商务师', NULL, 'evaluation', :issued, '重庆市某职业技能评价中心', '05', "
                    "'valid')"
                ),
                {
                    "number": number,
                    "body": BODY,
                    "year": ISSUED.year % 100,
                    "serial": int(number[-6:]),
                    "holder": holder,
                    "issued": ISSUED,
                },
            )
    finally:
        await engine.dispose()
    return {"number": number, "holder": holder}


def test_the_registry_serves_the_record_route_with_the_contract(registry_app: FastAPI) -> None:
    """The route subsidy-claims calls exists in the registry and answers exactly the v1 record's members."""
    spec = registry_app.openapi()
    path = RECORD_PATH.replace("{number}", "{number}")
    assert path in spec["paths"], sorted(spec["paths"])
    answer = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    name = answer["$ref"].rsplit("/", 1)[-1]
    provided = spec["components"]["schemas"][name]
    assert set(provided["properties"]) == set(CertificateRecord.model_fields)
    assert set(provided.get("required", [])) >= {
        n for n, f in CertificateRecord.model_fields.items() if f.is_required()
    }


async def test_a_claim_submits_against_the_real_registry(
    subsidy_client: httpx.AsyncClient,
    registry_client: httpx.AsyncClient,
    registry_database_url: str,
    engine: AsyncEngine,
) -> None:
    issued = await _issued_certificate(registry_client, registry_database_url)
    answer = await registry_client.get(
        RECORD_PATH.format(number=issued["number"]), headers=auth_headers(Role.SERVICE, sub=REGISTRY)
    )
    assert answer.status_code == 200, answer.text
    CertificateRecord.model_validate(answer.json())  # what the real registry says is the contract

    me = auth_headers(Role.CITIZEN, sub=issued["holder"])
    draft = await subsidy_client.post(
        "/v1/claims",
        json={
            "policy": "cq-eval",
            "applicant": {"id_number": issued["holder"], "name": "张三"},
            "certificate": {
                "number": issued["number"],
                "occupation_code": "4-01-02-03",
                "level": 3,
                "kind": "skill_level",
                "issue_date": ISSUED.isoformat(),
            },
            "cq": {"identity_category": {"value": "4"}, "district_code": "05", "applied_amount_fen": 150_000},
            "payout": {"bank_account": "6222020200112233445", "bank_name": "工商银行"},
        },
        headers=me,
    )
    assert draft.status_code == 201, draft.text
    submitted = await subsidy_client.post(
        f"/v1/claims/{draft.json()['id']}/submit", headers={**me, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert submitted.status_code == 200, submitted.text
    claim = submitted.json()
    assert claim["status"] == "submitted" and claim["occupation_name"] == "电子商务师"
    certificate = claim["facts"]["certificate"]
    assert (certificate["provenance"], certificate["source"]) == ("verified", "certificate-registry")
    assert (
        certificate["value"]["holder_name"] == "张三" and certificate["value"]["obtained_via"] == "evaluation"
    )
    cq4 = next(r for r in claim["decision"]["results"] if r["rule"] == "CQ-4")
    assert cq4["verdict"] == "pass"


async def test_an_answer_off_the_contract_is_a_502_naming_the_registry(
    client: httpx.AsyncClient, factory: Any, tokens: Any, fake_registry: Any, engine: AsyncEngine
) -> None:
    """A registry that renamed ``holder_name`` (the old guess read ``name`` instead): refused, nothing stored."""
    person = factory.person()
    record = factory.certificate(person)
    renamed = {k: v for k, v in record.items() if k != "holder_name"} | {"name": record["holder_name"]}
    fake_registry.records[record["number"]] = renamed
    me = tokens.citizen(person)
    cid = (await client.post("/v1/claims", json=factory.cq_body(person, record), headers=me)).json()["id"]
    response = await client.post(
        f"/v1/claims/{cid}/submit", headers={**me, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert response.status_code == 502, response.text
    problem = response.json()
    assert problem["code"] == "upstream_contract_mismatch" and problem["service"] == REGISTRY
    assert {"holder_name", "name"} <= set(problem["fields"])
    assert (await client.get(f"/v1/claims/{cid}", headers=me)).json()["status"] == "draft"


async def test_an_answer_that_is_not_a_record_at_all_is_a_502_too(
    client: httpx.AsyncClient, factory: Any, tokens: Any, fake_registry: Any, engine: AsyncEngine
) -> None:
    person = factory.person()
    record = factory.certificate(person)
    fake_registry.records[record["number"]] = "<html>维护中</html>"
    me = tokens.citizen(person)
    cid = (await client.post("/v1/claims", json=factory.cq_body(person, record), headers=me)).json()["id"]
    response = await client.post(
        f"/v1/claims/{cid}/submit", headers={**me, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert response.status_code == 502, response.text
    assert (response.json()["code"], response.json()["service"]) == ("upstream_contract_mismatch", REGISTRY)
    assert (await client.get(f"/v1/claims/{cid}", headers=me)).json()["status"] == "draft"
