"""The public verify page (HTML, zh-CN): by number + name, or from the certificate's QR code."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from gateway.upstreams import UpstreamsDep
from gateway.verify import rules
from gateway.verify.service import Verifier
from skills_shared.problems import problem_responses

router = APIRouter(tags=["verify"])

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default=True),
)
"""Autoescaping on: every value on the page (names, reasons, the echoed query) is escaped."""

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@router.get(
    "/verify",
    response_class=HTMLResponse,
    summary="Public verify page: certificate (masked ID, status, body, dates) and its signature check (CR-6)",
    responses={
        200: {"content": {"text/html": {}}, "description": "The page."},
        400: {"content": {"text/html": {}}, "description": "The QR token's signature does not hold."},
        404: {"content": {"text/html": {}}, "description": "No certificate matches."},
        422: {"content": {"text/html": {}}, "description": "The number or name is malformed."},
        503: {"content": {"text/html": {}}, "description": "The registry is unavailable; see Retry-After."},
        **problem_responses(429),
    },
)
async def verify_page(
    request: Request,
    upstreams: UpstreamsDep,
    n: Annotated[str | None, Query(max_length=64, description="证书编号")] = None,
    name: Annotated[str | None, Query(max_length=200, description="持证人姓名")] = None,
    t: Annotated[str | None, Query(max_length=400, description="二维码中的签名令牌")] = None,
) -> HTMLResponse:
    query = rules.read_query(n, name, t)
    state = request.app.state
    outcome = await Verifier(upstreams, state.signing_keys, state.service_tokens).run(query)
    html = TEMPLATES.get_template("verify.html").render(outcome=outcome, number=query.number, name=query.name)
    headers = dict(SECURITY_HEADERS)
    if outcome.retry_after:
        headers["Retry-After"] = outcome.retry_after
    return HTMLResponse(html, status_code=outcome.status_code, headers=headers)
