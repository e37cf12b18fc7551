"""Contract test of what org-filing sends the certificate registry: the issuer record its outbox PUTs.

The registry runs in-process with its own real database; org-filing's real outbox delivers to it over ASGI.
A field the registry renames or drops in ``IssuerSync`` (or a route it moves) fails here: org-filing builds the
payload as the registry's model, and the registry's real app must accept it and keep what was sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from of_factories import city, credit_code, filed_body

from certificate_registry.app import MIGRATIONS_DIR as REGISTRY_MIGRATIONS_DIR
from certificate_registry.app import create_app as create_registry_app
from certificate_registry.settings import RegistrySettings
from org_filing.issuer_sync.rules import ISSUER_TARGET
from skills_shared.auth import Role, mint_token
from skills_shared.clients import ServiceClient
from skills_shared.contracts.parsing import parse_contract
from skills_shared.contracts.v1.registry import IssuerRecord, IssuerSync
from skills_shared.outbox import OutboxDelivery
from skills_shared.settings import DEV_JWT_SECRET
from skills_shared.testing import auth_headers, fresh_database, running_app


@pytest.fixture(scope="module")
def registry_database_url() -> Iterator[str]:
    with fresh_database("certificate_registry", REGISTRY_MIGRATIONS_DIR) as url:
        yield url


@pytest.fixture(scope="module")
async def registry(registry_database_url: str) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_registry_app(
        RegistrySettings(database_url=registry_database_url, environment="test", log_level="WARNING")
    )
    async with running_app(app) as c:
        yield app, c


def delivery_to(org_app: FastAPI, registry_app: FastAPI) -> OutboxDelivery:
    client = ServiceClient(
        ISSUER_TARGET, "http://registry", retries=0, transport=httpx.ASGITransport(app=registry_app)
    )
    token = mint_token(DEV_JWT_SECRET, sub="org-filing", role=Role.SERVICE)
    return OutboxDelivery(org_app.state.db.sessionmaker, {ISSUER_TARGET: client}, token=token)


async def issuer(registry_client: httpx.AsyncClient, code: str) -> IssuerRecord:
    r = await registry_client.get(f"/v1/issuers/{code}", headers=auth_headers("service", sub="org-filing"))
    assert r.status_code == 200, r.text
    return parse_contract(IssuerRecord, r.json(), service="certificate-registry")


async def test_a_filed_body_reaches_the_registry_as_filed(
    client: httpx.AsyncClient, app: FastAPI, registry: tuple[FastAPI, httpx.AsyncClient]
) -> None:
    registry_app, registry_client = registry
    code, _, _ = await filed_body(client, level_scope="district", place="05", levels=(3, 4, 5))
    delivery = delivery_to(app, registry_app)
    assert await delivery.deliver_once() == 1
    got = await issuer(registry_client, code)
    body = (await client.get(f"/v1/bodies/{code}")).json()
    assert (got.code, got.name, got.status, got.district_code) == (code, body["name"], "active", "05")
    assert (got.valid_from.isoformat(), got.valid_to.isoformat()) == (body["valid_from"], body["valid_to"])
    assert [(s.occupation_code, s.levels) for s in got.scope] == [
        (s["occupation_code"], s["levels"]) for s in body["scope"]
    ]


async def test_a_merger_reaches_the_registry_as_merged_into_the_new_code(
    client: httpx.AsyncClient, app: FastAPI, registry: tuple[FastAPI, httpx.AsyncClient]
) -> None:
    registry_app, registry_client = registry
    a, _, _ = await filed_body(client)
    b, _, _ = await filed_body(client)
    merge = {
        "merged_codes": [a, b],
        "district_code": "00",
        "level_scope": "city",
        "name": "重庆市合并后评价中心",
        "credit_code": credit_code(),
        "registered_address": "重庆市江北区",
        "office_address": "重庆市江北区",
        "legal_representative": "周九",
        "scope": [{"occupation_code": "6-31-01-03", "occupation_name": "电工", "levels": [1, 2, 3]}],
        "valid_from": "2026-11-01",
    }
    r = await client.post("/v1/bodies/mergers", json=merge, headers=city())
    assert r.status_code == 201, r.text
    new = r.json()["code"]
    delivery = delivery_to(app, registry_app)
    while await delivery.deliver_once():
        pass
    for old in (a, b):
        got = await issuer(registry_client, old)
        assert (got.status, got.merged_into, got.retired) == ("merged", new, True)
    assert (await issuer(registry_client, new)).status == "active"


async def test_the_registry_documents_the_same_issuer_payload(
    registry: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    registry_app, _ = registry
    spec = registry_app.openapi()
    body = spec["paths"]["/v1/issuers/{code}"]["put"]["requestBody"]["content"]["application/json"]["schema"]
    schema = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert set(schema["properties"]) == set(IssuerSync.model_fields)
    assert set(schema.get("required", [])) <= set(IssuerSync.model_fields)
