"""QR codes (segno) pointing at the gateway's verify page with a signed token."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import segno


def verify_url(gateway_url: str, number: str, token: str) -> str:
    return f"{gateway_url.rstrip('/')}/verify?{urlencode({'n': number, 't': token})}"


def qr_png(url: str, *, scale: int = 6) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def qr_svg(url: str, *, scale: int = 4) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=scale, border=2, xmldecl=True)
    return buffer.getvalue()
