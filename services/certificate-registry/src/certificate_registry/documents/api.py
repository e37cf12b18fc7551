"""Routes of the certificate document: Verifiable Credential, QR code, PDF, published keys, status list, verifier."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from certificate_registry.access import require_view
from certificate_registry.certificates import lookup
from certificate_registry.certificates.schemas import PublicCertificate
from certificate_registry.certificates.service import parse_number_or_422
from certificate_registry.documents import credential, keyring, service, status_list
from certificate_registry.documents.pdf import render_pdf
from certificate_registry.documents.qr import qr_png, qr_svg
from certificate_registry.documents.schemas import (
    CredentialDocument,
    JwksOut,
    SigningKeyOut,
    VerifyIn,
    VerifyOut,
)
from certificate_registry.documents.signing import b64url, verify_document, verify_qr_token
from certificate_registry.photos.service import photo_of, store_of
from skills_shared.auth import CurrentPrincipal, Principal, Role
from skills_shared.clock import TodayDep
from skills_shared.problems import Problem, problem_responses

router = APIRouter(tags=["documents"])

NumberPath = Annotated[str, Path(description="22-character certificate number (CR-1)", max_length=64)]
SHANGHAI = ZoneInfo("Asia/Shanghai")
VC_JWT = {"content": {credential.MEDIA_TYPE: {"schema": {"type": "string"}}}}


async def record_for(request: Request, number: str, principal: Principal) -> dict[str, Any]:
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
    response_model=CredentialDocument,
    summary="The certificate as a W3C Verifiable Credential (vc+jwt, EdDSA) with its live status",
    responses=problem_responses(401, 403, 404, 422),
)
async def document(request: Request, number: NumberPath, principal: CurrentPrincipal) -> Response:
    record = await record_for(request, number, principal)
    return lookup.json_response(
        await service.issue_credential(request, record, gateway_url=_gateway(request))
    )


@router.get(
    "/v1/certificates/{number}/credential",
    summary="The certificate's Verifiable Credential alone, as application/vc+jwt",
    response_class=Response,
    responses={200: VC_JWT, **problem_responses(401, 403, 404, 422)},
)
async def credential_jwt(request: Request, number: NumberPath, principal: CurrentPrincipal) -> Response:
    record = await record_for(request, number, principal)
    issued = await service.issue_credential(request, record, gateway_url=_gateway(request))
    return Response(issued["credential"], media_type=credential.MEDIA_TYPE)


@router.get(
    "/v1/certificates/{number}/document.pdf",
    summary="The certificate PDF laid out per CR-5 (seed 001 附件4), with the holder's photo when uploaded",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **problem_responses(401, 403, 404, 422)},
)
async def document_pdf(request: Request, number: NumberPath, principal: CurrentPrincipal) -> Response:
    record = await record_for(request, number, principal)
    key = await service.current_key(request)
    link = service.link_of(number, key, _gateway(request))
    photo = await photo_of(store_of(request.app), record["id_number"])
    sheet = service.sheet_of(record, gateway_url=_gateway(request), link=link, photo_jpeg=photo)
    return Response(await run_in_threadpool(render_pdf, sheet), media_type="application/pdf")


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
    await record_for(request, number, principal)
    link = service.link_of(number, await service.current_key(request), _gateway(request))
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
    """A bad token and an unknown number give the same 404 as a wrong name does (CR-6). A token signed by a
    retired key still holds: printed QR codes outlive rotations."""
    parse_number_or_422(number)
    keys = await keyring.published_keys(service.engine_of(request), service.signing_key_of(request))
    row = await lookup.fetch_by_number(lookup.pool_of(request), number)
    if row is None or not any(verify_qr_token(raw, number, t) for raw in keys.values()):
        raise lookup.not_found()
    return lookup.json_response(lookup.public_view(row))


@router.get(
    "/v1/signing-key",
    response_model=SigningKeyOut,
    summary="The Ed25519 public key that signs now (all keys, retired ones too: /v1/credentials/jwks)",
)
async def signing_key(request: Request) -> SigningKeyOut:
    key = service.signing_key_of(request)
    return SigningKeyOut(
        key_id=key.key_id,
        algorithm=credential.JOSE_ALG,
        public_key=b64url(key.public_raw),
        public_key_pem=key.public_pem,
        jwks_url=credential.PublicUrls.of_gateway(_gateway(request)).jwks,
    )


class JwkSetResponse(JSONResponse):
    """RFC 7517's media type for a key set, documented as such so clients and fuzzers expect it."""

    media_type = "application/jwk-set+json"


@router.get(
    "/v1/credentials/jwks",
    response_model=JwksOut,
    response_class=JwkSetResponse,
    summary="JWKS of every key that has signed certificates, by kid; retired keys stay so old certificates verify",
)
async def jwks(request: Request) -> Response:
    keys = await keyring.published_keys(service.engine_of(request), service.signing_key_of(request))
    body = {"keys": [credential.public_jwk(kid, raw) for kid, raw in keys.items()]}
    return JwkSetResponse(
        JwksOut.model_validate(body).model_dump(mode="json"), headers={"Cache-Control": "public, max-age=300"}
    )


@router.get(
    "/v1/credentials/status/{list_id}",
    summary="The revocation Bitstring Status List credential (vc+jwt) that certificates' credentialStatus names",
    response_class=Response,
    responses={200: VC_JWT, **problem_responses(404, 422)},
)
async def status_list_credential(
    request: Request, today: TodayDep, list_id: Annotated[int, Path(ge=0, le=1_000_000)]
) -> Response:
    """Signed afresh on every request (``validFrom`` = today), so a revocation shows at once."""
    engine = service.engine_of(request)
    if list_id >= await keyring.list_count(engine):
        raise Problem(404, "status_list_not_found", "无此证书状态列表")
    positions = await keyring.revoked_positions(engine, list_id)
    valid_from = datetime.combine(today, time(0), tzinfo=SHANGHAI)
    vc = credential.status_list_credential(
        list_id,
        status_list.encode(positions),
        urls=credential.PublicUrls.of_gateway(_gateway(request)),
        valid_from=valid_from,
    )
    token = credential.sign(vc, await service.current_key(request))
    return Response(token, media_type=credential.MEDIA_TYPE, headers={"Cache-Control": "no-cache"})


@router.post(
    "/v1/certificates/verify-signature",
    response_model=VerifyOut,
    summary="Check a credential (or what /document answered, as fetched) against every published key",
    responses=problem_responses(413, 422),
)
async def verify_signature(request: Request, payload: VerifyIn) -> VerifyOut:
    keys = await keyring.published_keys(service.engine_of(request), service.signing_key_of(request))
    number: str | None = None
    key_id: str | None = None
    if payload.credential is not None:
        verified = credential.verify(payload.credential, keys)
        if verified is not None:
            key_id = verified.key_id
            number = str(verified.credential.get("credentialSubject", {}).get("number", "")) or None
    elif payload.document is not None and payload.signature is not None:
        # A document signed before credentials existed: canonical JSON + Ed25519, by any published key.
        for kid, raw in keys.items():
            if verify_document(raw, payload.document, payload.signature):
                key_id, number = kid, str(payload.document.get("number", "")) or None
                break
    if key_id is None:
        return VerifyOut(valid=False, key_id=None)
    row = await lookup.fetch_by_number(lookup.pool_of(request), number) if number else None
    return VerifyOut(valid=True, key_id=key_id, revoked=None if row is None else row["status"] == "revoked")
