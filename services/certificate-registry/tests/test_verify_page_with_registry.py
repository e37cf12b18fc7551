"""The gateway's public verify page in front of the real registry (both apps in process, each on its own database):
the page checks the credentials and QR links the registry hands out, before and after a key rotation."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from registry_testkit import Registry
from sqlalchemy.ext.asyncio import AsyncEngine
from test_credentials import issued

from certificate_registry.app import create_app
from certificate_registry.documents.keys import rotate_development_key
from certificate_registry.settings import RegistrySettings
from gateway.app import MIGRATIONS_DIR as GATEWAY_MIGRATIONS_DIR
from gateway.app import create_app as create_gateway
from gateway.settings import GatewaySettings
from gateway.upstreams import REGISTRY
from skills_shared.testing import fresh_database, running_app


@pytest.fixture(scope="module")
def gateway_database_url() -> Iterator[str]:
    with fresh_database("gateway", GATEWAY_MIGRATIONS_DIR) as url:
        yield url


def gateway_in_front_of(registry_app: FastAPI, database_url: str) -> FastAPI:
    settings = GatewaySettings(
        database_url=database_url,
        environment="test",
        log_level="WARNING",
        upstream_retries=0,
        upstream_backoff_s=0,
    )
    return create_gateway(settings, transports={REGISTRY: httpx.ASGITransport(app=registry_app)})


async def test_the_verify_page_checks_what_the_registry_signs_across_a_rotation(
    registry: Registry,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    settings: RegistrySettings,
    gateway_database_url: str,
) -> None:
    numbers, rows = await issued(registry, 2)
    old_token = registry.app.state.signing_key.qr_token(numbers[0])
    async with running_app(gateway_in_front_of(registry.app, gateway_database_url)) as gateway:
        page = await gateway.get("/verify", params={"n": numbers[0], "t": old_token})
        assert page.status_code == 200, page.text
        assert "电子签名有效" in page.text and str(rows[0]["id_number"]) not in page.text
        assert "重庆市沙坪坝区人力社保部门" in page.text and "12333" in page.text
        assert "CR-" not in page.text
        by_name = await gateway.get("/verify", params={"n": numbers[1], "name": rows[1]["name"]})
        assert by_name.status_code == 200 and "电子签名有效" in by_name.text

    await rotate_development_key(engine)
    rotated = create_app(settings)
    async with (
        running_app(rotated),
        running_app(gateway_in_front_of(rotated, gateway_database_url)) as gateway,
    ):
        new_token = rotated.state.signing_key.qr_token(numbers[1])
        assert new_token != registry.app.state.signing_key.qr_token(numbers[1])
        for number, token in ((numbers[0], old_token), (numbers[1], new_token)):
            page = await gateway.get("/verify", params={"n": number, "t": token})
            assert page.status_code == 200 and "电子签名有效" in page.text, "old and new signatures both hold"
        forged = await gateway.get("/verify", params={"n": numbers[1], "t": old_token})
        assert forged.status_code == 400, "a token is bound to its number"
