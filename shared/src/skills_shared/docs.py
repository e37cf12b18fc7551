"""The API documentation pages (Swagger UI at ``/docs``, ReDoc at ``/redoc``) served from the package, never a CDN.

Government intranets, and this suite's own build machines, cannot reach public CDNs; FastAPI's default pages load
their scripts from one and render blank there. The assets come from the ``fastapi-offline`` wheel (Swagger UI and
ReDoc with their licences), mounted under ``/docs/assets``.

In development (the public development secret in use, not production) the Swagger page carries a token helper:
pick a role and its scope, and it mints a development token from ``/docs/dev-token`` and authorises the page
with it, so a newcomer can try every route without a terminal. The helper and its route do not exist otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import fastapi_offline
from fastapi import FastAPI, Query, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles

from skills_shared.auth import SCOPE_CLAIM, Role, mint_token
from skills_shared.devtokens import TokenRequestError, check_request
from skills_shared.problems import Problem
from skills_shared.settings import DEV_JWT_SECRET, ServiceSettings

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/docs/assets"

_HELPER_HTML = """
<div id="dev-token" style="font-family:sans-serif;margin:12px 20px;padding:10px;border:1px solid #ccc">
  <strong>开发令牌（仅开发环境）</strong>
  <select id="dev-role">%(roles)s</select>
  <input id="dev-scope" placeholder="范围：机构代码 / 培训机构代码 / 区县代码" size="28">
  <input id="dev-sub" placeholder="主体（公民为身份证号）" size="22">
  <button id="dev-go" type="button">生成并授权</button>
  <span id="dev-msg"></span>
</div>
<script>
document.getElementById("dev-go").onclick = async function () {
  const role = document.getElementById("dev-role").value;
  const scope = document.getElementById("dev-scope").value;
  const sub = document.getElementById("dev-sub").value;
  const params = new URLSearchParams({role: role, scope: scope, sub: sub});
  const resp = await fetch(%(token_url)s + "?" + params.toString());
  const text = await resp.text();
  const msg = document.getElementById("dev-msg");
  if (!resp.ok) { msg.textContent = "未生成：" + (JSON.parse(text).detail || text); return; }
  window.ui.preauthorizeApiKey("HTTPBearer", text);
  msg.textContent = "已授权为 " + role;
};
</script>
"""


def _token_helper_html(token_url: str) -> str:
    roles = "".join(f'<option value="{r.value}">{r.value}</option>' for r in Role if r is not Role.SERVICE)
    return _HELPER_HTML % {"roles": roles, "token_url": json.dumps(token_url)}


def dev_tokens_allowed(settings: ServiceSettings) -> bool:
    """Only a development process signing with the public development secret hands out tokens."""
    return settings.environment != "production" and settings.jwt_secret == DEV_JWT_SECRET


def install_docs(app: FastAPI, settings: ServiceSettings, *, openapi_url: str = "/openapi.json") -> None:
    """Serve ``/docs`` and ``/redoc`` from the package's assets (create the app with ``docs_url=None``)."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
    helper = dev_tokens_allowed(settings)

    @app.get("/docs", include_in_schema=False)
    async def _swagger(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} — 接口文档",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            swagger_ui_parameters={"persistAuthorization": True, "displayOperationId": True},
        )
        html = bytes(page.body).decode("utf-8")
        if helper:
            html = html.replace("<body>", "<body>" + _token_helper_html(root + "/docs/dev-token"), 1)
        return HTMLResponse(html)

    @app.get("/redoc", include_in_schema=False)
    async def _redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} — 接口文档",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )

    if not helper:
        return

    @app.get("/docs/dev-token", include_in_schema=False)
    async def _dev_token(
        role: Annotated[str, Query(max_length=40)],
        scope: Annotated[str, Query(max_length=40)] = "",
        sub: Annotated[str, Query(max_length=40)] = "",
    ) -> PlainTextResponse:
        """A development token for the docs page; the scope fills whichever claim the role needs."""
        try:
            needed = SCOPE_CLAIM.get(Role(role)) if role in {r.value for r in Role} else None
            scopes = {needed: scope} if needed else {}
            request = check_request(role, sub=sub, **scopes)
        except TokenRequestError as exc:
            raise Problem(
                422,
                "token_request_refused",
                str(exc),
                errors=[{"loc": ["query", "role"], "msg": str(exc), "type": "token_request_refused"}],
            ) from exc
        token = mint_token(
            settings.jwt_secret,
            sub=request.sub,
            role=request.role,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            body=request.scopes.get("body"),
            institution=request.scopes.get("institution"),
            district=request.scopes.get("district"),
        )
        return PlainTextResponse(token)
