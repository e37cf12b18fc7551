"""The certificate document: canonical JSON signed with Ed25519, its QR code and its CR-5 PDF."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request

from certificate_registry.documents.pdf import NO_WORK_TYPE, CertificateSheet
from certificate_registry.documents.qr import verify_url
from certificate_registry.documents.signing import ALGORITHM, SigningKey
from skills_shared.reference import SkillLevel

DOCUMENT_VERSION = 1


def signing_key_of(request: Request) -> SigningKey:
    key: SigningKey = request.app.state.signing_key
    return key


def query_address(gateway_url: str) -> str:
    return f"{gateway_url.rstrip('/')}/verify"


def document_of(record: dict[str, Any], *, gateway_url: str) -> dict[str, Any]:
    """What CR-5 prints, as plain JSON; this exact dict (canonicalised) is what the signature covers."""
    return {
        "version": DOCUMENT_VERSION,
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
        "obtained_by": record["obtained_by"],
        "status": record["status"],
        "revoked_reason": record["revoked_reason"],
        "revoked_on": record["revoked_on"],
        "query_address": query_address(gateway_url),
    }


def signed(document: dict[str, Any], key: SigningKey) -> dict[str, Any]:
    return {
        "document": document,
        "signature": key.sign_document(document),
        "key_id": key.key_id,
        "algorithm": ALGORITHM,
    }


def sheet_of(document: dict[str, Any], *, link: str) -> CertificateSheet:
    return CertificateSheet(
        number=document["number"],
        holder_name=document["holder_name"],
        id_number=document["id_number"],
        occupation_name=document["occupation_name"],
        work_type=None if document["work_type"] == NO_WORK_TYPE else document["work_type"],
        level=document["level"],
        issue_date=date.fromisoformat(document["issue_date"]),
        body_name=document["body_name"],
        query_address=document["query_address"],
        verify_url=link,
        revoked=document["status"] == "revoked",
    )


def link_of(number: str, key: SigningKey, gateway_url: str) -> str:
    return verify_url(gateway_url, number, key.qr_token(number))
