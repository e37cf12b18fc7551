"""The certificate document: a Verifiable Credential signed with the current key, its QR link and its CR-5 PDF."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncEngine

from certificate_registry.documents import credential, keyring, status_list
from certificate_registry.documents.pdf import NO_WORK_TYPE, CertificateSheet
from certificate_registry.documents.qr import verify_url
from certificate_registry.documents.signing import SigningKey
from skills_shared.contracts.v1.registry import CertificateCredentialSubject
from skills_shared.reference import CQ_FILING_PLACES, SkillLevel

CITY_PLACE = "00"


def engine_of(request: Request) -> AsyncEngine:
    engine: AsyncEngine = request.app.state.db.engine
    return engine


def signing_key_of(request: Request) -> SigningKey:
    key: SigningKey = request.app.state.signing_key
    return key


async def current_key(request: Request) -> SigningKey:
    """The key that signs now, published (JWKS) before its first signature leaves the registry."""
    key = signing_key_of(request)
    await keyring.publish(engine_of(request), key)
    return key


def query_address(gateway_url: str) -> str:
    return f"{gateway_url.rstrip('/')}/verify"


def authority_of(number: str) -> str:
    """The HR-and-social-security office that filed the issuing body: the filing place of the number (CR-1)."""
    place = number[7:9]
    name = CQ_FILING_PLACES.get(place, "")
    if place == CITY_PLACE or not name:
        return "重庆市人力社保部门"
    return f"重庆市{name}人力社保部门"


def subject_of(record: dict[str, Any], *, gateway_url: str) -> dict[str, Any]:
    """What CR-5 prints, as the credential's subject (the names of the former signed document are kept)."""
    return {
        "number": record["number"],
        "holder_name": record["holder_name"],
        "id_number": record["id_number"],
        "occupation_code": record["occupation_code"],
        "occupation_name": record["occupation_name"],
        "work_type": record["work_type"] or NO_WORK_TYPE,
        "level": record["level"],
        "level_name": SkillLevel(record["level"]).zh,
        "issue_date": record["issue_date"],
        "body_code": record["body_code"],
        "body_name": record["body_name"],
        "filing_authority": authority_of(record["number"]),
        "obtained_by": record["obtained_by"],
        "query_address": query_address(gateway_url),
    }


def current_status(record: dict[str, Any]) -> dict[str, Any]:
    """The live status beside the credential (the signed proof of it is the status list)."""
    return {
        "status": record["status"],
        "revoked_reason": record["revoked_reason"],
        "revoked_on": record["revoked_on"],
    }


async def issue_credential(request: Request, record: dict[str, Any], *, gateway_url: str) -> dict[str, Any]:
    """The signed credential of a certificate and what the holder's app needs beside it."""
    key = await current_key(request)
    slot = await keyring.status_slot(engine_of(request), record["number"])
    subject = CertificateCredentialSubject.model_validate(subject_of(record, gateway_url=gateway_url))
    vc = credential.certificate_credential(
        subject.model_dump(mode="json"),
        number=record["number"],
        issue_date=date.fromisoformat(str(record["issue_date"])),
        status=status_list.list_of(slot),
        urls=credential.PublicUrls.of_gateway(gateway_url),
    )
    return {
        "credential": credential.sign(vc, key),
        "media_type": credential.MEDIA_TYPE,
        "key_id": key.key_id,
        "algorithm": credential.JOSE_ALG,
        "document": vc,
        **current_status(record),
    }


def sheet_of(
    record: dict[str, Any], *, gateway_url: str, link: str, photo_jpeg: bytes | None
) -> CertificateSheet:
    return CertificateSheet(
        number=record["number"],
        holder_name=record["holder_name"],
        id_number=record["id_number"],
        occupation_name=record["occupation_name"],
        work_type=record["work_type"] or None,
        level=record["level"],
        issue_date=date.fromisoformat(str(record["issue_date"])),
        body_name=record["body_name"],
        query_address=query_address(gateway_url),
        verify_url=link,
        revoked=record["status"] == "revoked",
        photo_jpeg=photo_jpeg,
        authority=authority_of(record["number"]),
    )


def link_of(number: str, key: SigningKey, gateway_url: str) -> str:
    return verify_url(gateway_url, number, key.qr_token(number))
