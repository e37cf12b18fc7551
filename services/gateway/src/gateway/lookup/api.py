"""Public certificate look-up (CR-6), proxied to the registry on the leanest path the gateway has.

The query string and the answer's bytes pass through untouched: no JSON parsing on the way, a kept-alive
connection written to directly (``fastget``); the answer is documented as the registry's ``PublicCertificate``
contract, which the registry's own response model guarantees. The registry decides what a caller may see
(masked ID, one 404 for every mismatch).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from gateway import paths
from gateway.relay import passthrough
from gateway.upstreams import upstreams_of
from skills_shared.clients import service_path
from skills_shared.contracts.v1.registry import PublicCertificate
from skills_shared.fastget import FastGet
from skills_shared.problems import problem_responses

router = APIRouter(prefix="/api/v1", tags=["certificates"])

NUMBER_PATTERN = r"^[A-Z][0-9]{21}$"


SAFE_QUERY = frozenset(range(0x21, 0x7F))
"""Bytes that may go into a request line as they are; anything else takes the general (encoding) path."""


@router.get(
    "/certificates/{number}",
    operation_id="certificates.lookup",
    response_model=PublicCertificate,
    summary="Public certificate look-up (CR-6): number plus holder name or ID number; ID masked",
    responses={
        200: {"description": "The public view of the certificate (ID number masked)."},
        **problem_responses(404, 422, 429, 503),
    },
)
async def lookup_certificate(
    request: Request,
    number: Annotated[str, Path(pattern=NUMBER_PATTERN, description="证书编号 (CR-1), 22 characters")],
    name: Annotated[str | None, Query(max_length=50, description="持证人姓名")] = None,
    id_number: Annotated[str | None, Query(max_length=18, description="持证人身份证号")] = None,
) -> Response:
    """Pass the caller's query (``name``, ``id_number``, declared so they are documented and nothing else is
    accepted) and token to the registry as they came."""
    query: bytes = request.scope["query_string"]
    path = service_path(paths.REGISTRY_PUBLIC_LOOKUP, number=number)
    fast: FastGet | None = request.app.state.registry_get
    if fast is not None and SAFE_QUERY.issuperset(query):
        target = f"{path}?{query.decode('ascii')}" if query else path
        forwarded: list[tuple[bytes, bytes]] = []
        request_id = request.scope["state"].get("request_id")
        if request_id:
            forwarded.append((b"X-Request-ID", request_id.encode("ascii")))
        for name, value in request.scope["headers"]:
            if name == b"authorization":
                forwarded.append((b"Authorization", value))
        answer = await fast.get(target, tuple(forwarded))
        headers = {"Retry-After": answer.retry_after.decode("latin-1")} if answer.retry_after else None
        return Response(
            answer.body,
            status_code=answer.status,
            media_type=answer.content_type.decode("latin-1"),
            headers=headers,
        )
    authorization = request.headers.get("authorization")
    return passthrough(
        await (await upstreams_of(request)).registry.request(
            "GET",
            path,
            params=request.query_params,
            headers={"Authorization": authorization} if authorization else None,
        )
    )
