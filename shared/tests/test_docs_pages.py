"""The documentation pages load with no network beyond the service itself, and render the operations in a real
browser (Debian chromium); the development token helper exists only where development tokens are safe."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from skills_shared.auth import Role, TokenVerifier
from skills_shared.docs import install_docs
from skills_shared.errors import install_error_handlers
from skills_shared.settings import ServiceSettings
from skills_shared.testing import running_app, served

CHROMIUM_INSTALL = "apt-get update && apt-get install -y chromium"


class Greeting(BaseModel):
    text: str


def docs_app(settings: ServiceSettings) -> FastAPI:
    app = FastAPI(title="示例服务", docs_url=None, redoc_url=None)
    install_error_handlers(app)
    install_docs(app, settings)

    @app.get(
        "/v1/greetings/{name}", response_model=Greeting, operation_id="greetings.read", summary="问候某人"
    )
    async def _greet(name: str) -> Greeting:
        return Greeting(text=f"你好，{name}")

    return app


@pytest.fixture
async def docs_site() -> AsyncIterator[str]:
    async with served(docs_app(ServiceSettings(environment="development"))) as url:
        yield url


async def rendered_dom(url: str) -> str:
    """The DOM after the page's scripts ran (virtual time lets Swagger UI fetch the document and render)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path is not None, f"the docs-page test needs Debian chromium: {CHROMIUM_INSTALL}"
    proc = await asyncio.create_subprocess_exec(
        path,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--virtual-time-budget=15000",
        "--dump-dom",
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=90)
    assert proc.returncode == 0, f"chromium exited with {proc.returncode}"
    return out.decode("utf-8")


async def test_swagger_ui_renders_the_operations_in_a_browser_with_no_cdn(docs_site: str) -> None:
    dom = await rendered_dom(docs_site + "/docs")
    assert "greetings.read" in dom  # the operation, rendered by Swagger UI from /openapi.json
    assert "问候某人" in dom
    assert "cdn." not in dom and "jsdelivr" not in dom


async def test_redoc_renders_the_operations_in_a_browser(docs_site: str) -> None:
    dom = await rendered_dom(docs_site + "/redoc")
    assert "问候某人" in dom
    assert "fonts.googleapis" not in dom


async def test_the_dev_token_helper_mints_tokens_the_services_accept() -> None:
    settings = ServiceSettings(environment="development")
    async with running_app(docs_app(settings)) as client:
        page = (await client.get("/docs")).text
        assert "开发令牌" in page and "/docs/assets/swagger-ui-bundle.js" in page
        token = await client.get("/docs/dev-token", params={"role": "district_officer", "scope": "05"})
        assert token.status_code == 200
        verifier = TokenVerifier(settings.jwt_secret, settings.jwt_audience, settings.jwt_issuer)
        principal = verifier.principal(token.text)
        assert (principal.role, principal.district) == (Role.DISTRICT_OFFICER, "05")
        refused = await client.get("/docs/dev-token", params={"role": "org_staff"})
        assert refused.status_code == 422
        assert "BODY=" in refused.json()["detail"]
        asset = await client.get("/docs/assets/swagger-ui-bundle.js")
        assert asset.status_code == 200 and len(asset.content) > 100_000


async def test_no_token_helper_outside_development() -> None:
    settings = ServiceSettings(environment="test", jwt_secret="a-real-secret-that-is-long-enough-0123456789")
    async with running_app(docs_app(settings)) as client:
        assert "开发令牌" not in (await client.get("/docs")).text
        assert (await client.get("/docs/dev-token", params={"role": "inspector"})).status_code == 404
