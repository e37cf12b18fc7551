"""Routes of the certificate document: signed JSON, QR code, PDF, the public key and a verifier."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from certificate_registry.access import require_view
from certificate_registry.certificates import lookup
from certificate_registry.certificates.schemas import PublicCertificate
from certificate_registry.certificates.service import parse_number_or_422
from certificate_registry.documents import service
from certificate_registry.documents.pdf import render_pdf
from certificate_registry.documents.qr import qr_png, qr_svg
from certificate_registry.documents.schemas import SignedDocument, SigningKeyOut, VerifyIn, VerifyOut
from certificate_registry.documents.signing import ALGORITHM, b64url, verify_document, verify_qr_token
from skills_shared.auth import CurrentPrincipal, Principal, Role
from skills_shared.problems import problem_responses

router = APIRouter(tags=["documents"])

NumberPath = Annotated[str, Path(description="22-character certificate number (CR-1)", max_length=64)]


async def _record_for(request: Request, number: str, principal: Principal) -> dict[str, Any]:
    """The holder, the issuing body, its officers and the oversight roles may fetch a document."""
    parse_number_or_422(number)
    row = await lookup.fetch_by_number(lookup.pool_of(request), number)
    if row is None:
        raise lookup.not_found()
    if principal.role is Role.CITIZEN:
        principal.require_subject(row["id_number"])
    elif principal.role is not Role.PARTNER:
        require_view(principal, body_code=row["body_code"], place=number[7:9])
    return lookup.full_record(row)


def _gateway(request: Request) -> str:
    url: str = request.app.state.settings.gateway_url
    return url


@router.get(
    "/v1/certificates/{number}/document",
    response_model=SignedDocument,
    summary="The certificate as signed canonical JSON (Ed25519)",
    responses=problem_responses(401, 403, 404, 422),
)
async def document(request: Request, number: NumberPath, principal: CurrentPrincipal) -> Response:
    record = await _record_for(request, number, principal)
    doc = service.document_of(record, gateway_url=_gateway(request))
    return lookup.json_response(service.signed(doc, service.signing_key_of(request)))


@router.get(
    "/v1/certificates/{number}/document.pdf",
    summary="The certificate PDF laid out per CR-5",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **problem_responses(401, 403, 404, 422)},
)
async def document_pdf(request: Request, number: NumberPath, principal: CurrentPrincipal) -> Response:
    record = await _record_for(request, number, principal)
    doc = service.document_of(record, gateway_url=_gateway(request))
    link = service.link_of(number, service.signing_key_of(request), _gateway(request))
    return Response(render_pdf(service.sheet_of(doc, link=link)), media_type="application/pdf")


@router.get(
    "/v1/certificates/{number}/qr.{kind}",
    summary="QR code (png or svg) linking to the gateway's verify page",
    response_class=Response,
    responses={
        200: {"content": {"image/png": {}, "image/svg+xml": {}}},
        **problem_responses(401, 403, 404, 422),
    },
)
async def document_qr(
    request: Request,
    number: NumberPath,
    principal: CurrentPrincipal,
    kind: Annotated[str, Path(pattern="^(png|svg)$")],
) -> Response:
    await _record_for(request, number, principal)
    link = service.link_of(number, service.signing_key_of(request), _gateway(request))
    if kind == "png":
        return Response(qr_png(link), media_type="image/png")
    return Response(qr_svg(link), media_type="image/svg+xml")


@router.get(
    "/v1/certificates/{number}/verification",
    response_model=PublicCertificate,
    summary="What the QR code's verify page shows: the public view, given the number and its signed token",
    responses=problem_responses(404, 422),
)
async def verification(
    request: Request,
    number: NumberPath,
    t: Annotated[str, Query(max_length=200, description="Token from the QR.")],
) -> Response:
    """A bad token and an unknown number give the same 404 as a wrong name does (CR-6)."""
    parse_number_or_422(number)
    key = service.signing_key_of(request)
    row = await lookup.fetch_by_number(lookup.pool_of(request), number)
    if row is None or not verify_qr_token(key.public_raw, number, t):
        raise lookup.not_found()
    return lookup.json_response(lookup.public_view(row))


@router.get(
    "/v1/signing-key", response_model=SigningKeyOut, summary="The Ed25519 public key that signs documents"
)
async def signing_key(request: Request) -> SigningKeyOut:
    key = service.signing_key_of(request)
    return SigningKeyOut(
        key_id=key.key_id,
        algorithm=ALGORITHM,
        public_key=b64url(key.public_raw),
        public_key_pem=key.public_pem,
    )


@router.post(
    "/v1/certificates/verify-signature",
    response_model=VerifyOut,
    summary="Check a document and its signature against the published key",
    responses=problem_responses(413, 422),
)
async def verify_signature(request: Request, payload: VerifyIn) -> VerifyOut:
    key = service.signing_key_of(request)
    return VerifyOut(
        valid=verify_document(key.public_raw, payload.document, payload.signature), key_id=key.key_id
    )
