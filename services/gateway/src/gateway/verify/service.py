"""Verify a certificate for the public page: look it up, fetch its credential, check both signatures here."""

from __future__ import annotations

import time
from dataclasses import dataclass

from gateway import paths
from gateway.relay import json_or_problem
from gateway.upstreams import REGISTRY, Upstreams
from gateway.verify import rules, signature
from gateway.verify.rules import Mode, Query
from skills_shared.auth import ServiceTokens
from skills_shared.clients import service_path
from skills_shared.contracts.parsing import parse_contract
from skills_shared.contracts.v1.registry import CertificateCredentialDocument
from skills_shared.problems import Problem

REGISTRY_JWKS = "/v1/credentials/jwks"
"""Every key the registry has signed with, by kid (retired keys stay)."""
KEY_TTL_S = 300.0
"""How long the registry's published keys are trusted before they are fetched again."""
MIN_REFETCH_S = 10.0
"""Keys that do not fit are fetched again at most this often, so forged tokens cannot drive registry calls."""


@dataclass
class PublishedKeys:
    """The registry's JWKS as last fetched: kid → raw Ed25519 public key."""

    keys: dict[str, bytes]
    fetched_at: float


class KeyCache:
    """Fetches the registry's JWKS at most once per TTL, and again (at most every MIN_REFETCH_S) when a credential
    names a kid it does not hold or no key fits a QR token: that is how a rotation reaches the page."""

    def __init__(self) -> None:
        self._keys: PublishedKeys | None = None

    async def get(self, upstreams: Upstreams, *, missing: str | None = None) -> dict[str, bytes]:
        """The published keys; `missing` = a kid (or "" for "none fitted") that asks for a fresh fetch."""
        cached = self._keys
        age = time.monotonic() - cached.fetched_at if cached is not None else KEY_TTL_S
        if (
            cached is not None
            and age < KEY_TTL_S
            and (missing is None or missing in cached.keys or age < MIN_REFETCH_S)
        ):
            return cached.keys
        body = json_or_problem(await upstreams.registry.request("GET", REGISTRY_JWKS))
        keys = {
            str(k["kid"]): signature.b64url_decode(str(k["x"]))
            for k in body.get("keys", [])
            if k.get("kty") == "OKP" and k.get("crv") == "Ed25519" and k.get("kid")
        }
        self._keys = PublishedKeys(keys, time.monotonic())
        return keys


@dataclass
class Outcome:
    """What the page shows."""

    status_code: int = 200
    card: dict[str, str] | None = None
    signature_valid: bool | None = None
    message: str = ""
    retry_after: str | None = None


class Verifier:
    """One page view's work; the registry decides what exists, the gateway checks the signatures itself."""

    def __init__(self, upstreams: Upstreams, keys: KeyCache, tokens: ServiceTokens) -> None:
        self.upstreams = upstreams
        self.keys = keys
        self.tokens = tokens

    async def signed_document(self, number: str) -> CertificateCredentialDocument:
        """The registry's credential and live status, fetched with the gateway's own service token (oversight read);
        an answer off the v1 contract is a 502 naming the registry."""
        response = await self.upstreams.registry.request(
            "GET", service_path(paths.REGISTRY_DOCUMENT, number=number), token=self.tokens()
        )
        return parse_contract(CertificateCredentialDocument, json_or_problem(response), service=REGISTRY)

    async def _card(self, number: str) -> Outcome:
        """The card from the credential the registry hands out, its signature checked here against the JWKS."""
        signed = await self.signed_document(number)
        kid = signature.header_kid(signed.credential) or ""
        keys = await self.keys.get(self.upstreams, missing=kid)
        credential = signature.verified_credential(signed.credential, keys)
        subject = (credential or signed.document).get("credentialSubject", {})
        card = rules.public_card({**subject, **rules.live_status(signed.model_dump(mode="json"))})
        return Outcome(card=card, signature_valid=credential is not None and subject.get("number") == number)

    async def run(self, query: Query) -> Outcome:
        """Answer the page's question; every failure is a message on the page, with the right status."""
        if query.mode is Mode.FORM:
            return Outcome()
        if query.mode is Mode.INVALID:
            return Outcome(status_code=422, message=query.error)
        try:
            if query.mode is Mode.BY_QR:
                keys = await self.keys.get(self.upstreams)
                if not signature.qr_token_valid(keys, query.number, query.token):
                    keys = await self.keys.get(self.upstreams, missing="")  # perhaps rotated: fetch once more
                    if not signature.qr_token_valid(keys, query.number, query.token):
                        return Outcome(
                            status_code=400, signature_valid=False, message="二维码签名无效，链接可能被篡改"
                        )
            else:
                json_or_problem(
                    await self.upstreams.registry.request(
                        "GET",
                        service_path(paths.REGISTRY_PUBLIC_LOOKUP, number=query.number),
                        params={"name": query.name},
                    )
                )
            return await self._card(query.number)
        except Problem as problem:
            if problem.status == 404:
                return Outcome(status_code=404, message="未查询到与所填信息相符的证书")
            if problem.status == 503:
                return Outcome(
                    status_code=503,
                    message="证书查询服务暂时不可用，请稍后再试",
                    retry_after=problem.headers.get("Retry-After", "5"),
                )
            return Outcome(
                status_code=problem.status if problem.status < 500 else 502, message=problem.detail
            )
