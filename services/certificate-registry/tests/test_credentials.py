"""Certificates as W3C Verifiable Credentials: verified offline by a JOSE library that is not the registry's
(jwcrypto), across a key rotation, with revocation read from the signed Bitstring Status List."""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
from typing import Any

import httpx
from jwcrypto import jwk, jws
from registry_testkit import DISTRICT_BODY, Registry, candidate
from sqlalchemy.ext.asyncio import AsyncEngine

from certificate_registry.app import create_app
from certificate_registry.documents.keys import rotate_development_key
from certificate_registry.documents.signing import b64url, b64url_decode
from certificate_registry.settings import RegistrySettings
from skills_shared.testing import auth_headers, running_app

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"


async def issued(registry: Registry, count: int) -> tuple[list[str], list[dict[str, Any]]]:
    await registry.put_issuer()
    rows = [candidate(i) for i in range(count)]
    batch_id = await registry.ready_batch(rows)
    answer = await registry.issue(batch_id)
    assert answer.status_code == 201, answer.text
    roster = await registry.client.get(f"/v1/batches/{batch_id}/roster", headers=registry.staff())
    return [e["number"] for e in roster.json()["entries"]], rows


def verify_offline(token: str, jwks: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """What any holder or employer does with the published JWKS: pick the key by kid, check the JWS (jwcrypto)."""
    parsed = jws.JWS()
    parsed.deserialize(token)
    header = parsed.jose_header
    assert header["typ"] == "vc+jwt" and header["alg"] == "EdDSA"
    key_set = jwk.JWKSet.from_json(json.dumps(jwks))
    key = key_set.get_key(header["kid"])
    assert key is not None, f"kid {header['kid']} is not published"
    parsed.verify(key, alg="EdDSA")
    return header, json.loads(parsed.payload)


def bit(encoded_list: str, position: int) -> bool:
    text = encoded_list.removeprefix("u")
    bits = gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    return bool(bits[position // 8] & (0x80 >> (position % 8)))


async def test_credentials_verify_offline_across_a_key_rotation(
    registry: Registry, client: httpx.AsyncClient, engine: AsyncEngine, settings: RegistrySettings
) -> None:
    numbers, rows = await issued(registry, 2)
    holder = auth_headers("citizen", sub=str(rows[0]["id_number"]))
    before = await client.get(f"/v1/certificates/{numbers[0]}/document", headers=holder)
    assert before.status_code == 200, before.text
    old = before.json()
    old_token = registry.app.state.signing_key.qr_token(numbers[0])

    await rotate_development_key(engine)
    rotated = create_app(settings)
    async with running_app(rotated) as after_client:
        after = (
            await after_client.get(f"/v1/certificates/{numbers[1]}/document", headers=registry.staff())
        ).json()
        assert after["key_id"] != old["key_id"], "the rotated key signs new certificates"
        jwks = (await after_client.get("/v1/credentials/jwks")).json()
        assert {k["kid"] for k in jwks["keys"]} == {old["key_id"], after["key_id"]}, "the retired key stays"

        for fetched, number in ((old, numbers[0]), (after, numbers[1])):
            header, vc = verify_offline(fetched["credential"], jwks)
            assert header["kid"] == fetched["key_id"]
            assert vc == fetched["document"]
            assert vc["@context"][0] == VC_CONTEXT and "VerifiableCredential" in vc["type"]
            assert vc["credentialSubject"]["number"] == number
            assert vc["credentialSubject"]["filing_authority"] == "重庆市沙坪坝区人力社保部门"
            assert vc["validFrom"].endswith("T00:00:00+08:00")
            # verify-signature takes back exactly what /document handed out, old key and new
            checked = await after_client.post("/v1/certificates/verify-signature", json=fetched)
            assert checked.status_code == 200, checked.text
            assert checked.json() == {"valid": True, "key_id": fetched["key_id"], "revoked": False}

        # A tampered payload with the old signature is refused, offline and by the registry.
        head, payload, signature = old["credential"].split(".")
        claims = json.loads(b64url_decode(payload))
        claims["credentialSubject"]["level"] = 1
        forged = ".".join((head, b64url(json.dumps(claims).encode()), signature))
        refused = await after_client.post("/v1/certificates/verify-signature", json={"credential": forged})
        assert refused.json() == {"valid": False, "key_id": None, "revoked": None}

        # The printed QR code of the first certificate, signed before the rotation, still opens its page.
        page = await after_client.get(f"/v1/certificates/{numbers[0]}/verification", params={"t": old_token})
        assert page.status_code == 200, page.text

        # Revocation shows in the signed status list at the slot the credential names.
        admin = {**registry.staff(role="org_admin"), "Idempotency-Key": "revoke-vc"}
        revoked = await after_client.post(
            f"/v1/certificates/{numbers[0]}/revocation", json={"reason": "考试作弊，经查属实"}, headers=admin
        )
        assert revoked.status_code == 200, revoked.text
        old_status = old["document"]["credentialStatus"]
        new_status = after["document"]["credentialStatus"]
        assert (
            old_status["type"] == "BitstringStatusListEntry" and old_status["statusPurpose"] == "revocation"
        )
        listed = await after_client.get("/v1/credentials/status/0")
        assert listed.headers["content-type"].startswith("application/vc+jwt")
        _, status_vc = verify_offline(listed.text, jwks)
        assert old_status["statusListCredential"].endswith("/credentials/status/0")
        subject = status_vc["credentialSubject"]
        assert (
            subject["type"] == "BitstringStatusList" and status_vc["id"] == old_status["statusListCredential"]
        )
        assert bit(subject["encodedList"], int(old_status["statusListIndex"])) is True
        assert bit(subject["encodedList"], int(new_status["statusListIndex"])) is False
        assert len(gzip.decompress(base64.urlsafe_b64decode(subject["encodedList"][1:] + "=="))) == 16_384
        again = await after_client.post("/v1/certificates/verify-signature", json=old)
        assert again.json()["revoked"] is True
        missing = await after_client.get("/v1/credentials/status/7")
        assert missing.status_code == 404


async def test_a_certificate_keeps_one_status_slot_under_concurrent_first_requests(
    registry: Registry, client: httpx.AsyncClient
) -> None:
    numbers, _ = await issued(registry, 1)
    staff = registry.staff()
    answers = await asyncio.gather(
        *(client.get(f"/v1/certificates/{numbers[0]}/document", headers=staff) for _ in range(8))
    )
    slots = {a.json()["document"]["credentialStatus"]["statusListIndex"] for a in answers}
    assert all(a.status_code == 200 for a in answers) and len(slots) == 1


async def test_document_routes_keep_their_access_rules_and_outputs(
    registry: Registry, client: httpx.AsyncClient
) -> None:
    numbers, rows = await issued(registry, 1)
    stranger = auth_headers("citizen", sub="11010519491231002X")
    assert (await client.get(f"/v1/certificates/{numbers[0]}/document", headers=stranger)).status_code == 403
    other_body = auth_headers("org_staff", body="S000050080009")
    assert (
        await client.get(f"/v1/certificates/{numbers[0]}/credential", headers=other_body)
    ).status_code == 403
    own = await client.get(f"/v1/certificates/{numbers[0]}/credential", headers=registry.staff(DISTRICT_BODY))
    assert own.status_code == 200 and own.headers["content-type"].startswith("application/vc+jwt")
    assert own.text.count(".") == 2
    png = await client.get(f"/v1/certificates/{numbers[0]}/qr.png", headers=registry.staff())
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    svg = await client.get(f"/v1/certificates/{numbers[0]}/qr.svg", headers=registry.staff())
    assert svg.status_code == 200 and b"<svg" in svg.content
    holder = auth_headers("citizen", sub=str(rows[0]["id_number"]))
    pdf = await client.get(f"/v1/certificates/{numbers[0]}/document.pdf", headers=holder)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and b"+LXGWWenKai" in pdf.content
    key = (await client.get("/v1/signing-key")).json()
    assert key["algorithm"] == "EdDSA" and key["jwks_url"].endswith("/api/v1/registry/credentials/jwks")
    empty = await client.post("/v1/certificates/verify-signature", json={"key_id": "x"})
    assert empty.status_code == 422

    token = registry.app.state.signing_key.qr_token(numbers[0])
    verified = await client.get(f"/v1/certificates/{numbers[0]}/verification", params={"t": token})
    assert verified.status_code == 200 and "*" in verified.json()["id_number_masked"]
    signature = b64url_decode(
        token
    )  # flip a bit of the signature itself: re-spelling base64 may not change it
    forged = b64url(bytes([signature[0] ^ 1]) + signature[1:])
    forged_token = await client.get(f"/v1/certificates/{numbers[0]}/verification", params={"t": forged})
    unknown = await client.get(f"/v1/certificates/{numbers[0][:-1]}9/verification", params={"t": token})
    assert forged_token.status_code == unknown.status_code == 404
    assert forged_token.json()["code"] == unknown.json()["code"] == "certificate_not_found"
