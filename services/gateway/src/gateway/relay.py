"""Turning downstream answers into ours: bytes passed through where possible, problems re-raised unchanged."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.responses import Response

from skills_shared.clients import raise_for_problem

PASSED_HEADERS = (
    "retry-after",
    "idempotent-replayed",
    "content-disposition",
    "cache-control",
    "www-authenticate",
)


def passthrough(response: httpx.Response) -> Response:
    """The downstream answer as ours, body bytes untouched (no JSON re-parsing on the hot path).

    The content type is copied as a header rather than given as a media type, which Starlette would extend with a
    charset for ``text/*``: a CSV or PNG leaves exactly as the service labelled it.
    """
    headers = {name: response.headers[name] for name in PASSED_HEADERS if name in response.headers}
    content_type = response.headers.get("content-type")
    if content_type:
        headers["content-type"] = content_type
    return Response(content=response.content, status_code=response.status_code, headers=headers)


def json_or_problem(response: httpx.Response) -> Any:
    """The decoded JSON of a success; a downstream 4xx problem is re-raised with its status, code and rule."""
    raise_for_problem(response)
    return response.json()
