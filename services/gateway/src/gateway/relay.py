"""Turning downstream answers into ours: bytes passed through where possible, problems re-raised unchanged, and
everything the gateway reads parsed into the provider's contract (a mismatch is a 502 naming the provider)."""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
from fastapi.responses import Response

from skills_shared.clients import ServiceClient, raise_for_problem
from skills_shared.contracts.parsing import parse_contract

M = TypeVar("M")

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


async def call(service: ServiceClient, model: type[M], method: str, path: str, **kwargs: Any) -> M:
    """One hop whose answer the gateway reads: the service's refusal passes on unchanged (status, code, rule),
    a success is parsed into ``model``, the provider's contract — or is a 502 naming the service."""
    answer = json_or_problem(await service.request(method, path, **kwargs))
    parsed: M = parse_contract(model, answer, service=service.name)
    return parsed
