"""Verify a certificate for the public page: look it up, fetch its signed document, check both signatures."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from gateway import paths
from gateway.relay import json_or_problem
from gateway.upstreams import Upstreams
from gateway.verify import rules, signature
from gateway.verify.rules import Mode, Query
from skills_shared.auth import ServiceTokens
from skills_shared.problems import Problem

KEY_TTL_S = 300.0
"""How long the registry's published key is trusted before it is fetched again (a rotation shows within it)."""
MIN_REFETCH_S = 10.0
"""A key that does not fit is fetched again at most this often, so forged tokens cannot drive registry calls."""


@dataclass
class PublishedKey:
    """The registry's Ed25519 public key as last fetched."""

    key_id: str
    public_raw: bytes
    fetched_at: float


class KeyCache:
    """Fetches ``GET /v1/signing-key`` at most once per TTL, and again at once when a document names another key."""

    def __init__(self) -> None:
        self._key: PublishedKey | None = None

    async def get(self, upstreams: Upstreams, *, key_id: str | None = None) -> PublishedKey:
        key = self._key
        age = time.monotonic() - key.fetched_at if key is not None else KEY_TTL_S
        if (
            key is not None
            and age < KEY_TTL_S
            and (key_id is None or key_id == key.key_id or age < MIN_REFETCH_S)
        ):
            return key
        body = json_or_problem(await upstreams.registry.request("GET", paths.REGISTRY_SIGNING_KEY))
        key = PublishedKey(
            key_id=str(body["key_id"]),
            public_raw=signature.b64url_decode(str(body["public_key"])),
            fetched_at=time.monotonic(),
        )
        self._key = key
        return key


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

    async def signed_document(self, number: str) -> dict[str, Any]:
        """The registry's signed document, fetched with the gateway's own service token (oversight read)."""
        response = await self.upstreams.registry.request(
            "GET", paths.REGISTRY_DOCUMENT.format(number=number), token=self.tokens()
        )
        signed: dict[str, Any] = json_or_problem(response)
        return signed

    async def _card(self, number: str) -> Outcome:
        signed = await self.signed_document(number)
        key = await self.keys.get(self.upstreams, key_id=str(signed.get("key_id") or "") or None)
        valid = signature.document_signature_valid(
            key.public_raw, signed["document"], str(signed["signature"])
        )
        return Outcome(card=rules.public_card(signed["document"]), signature_valid=valid)

    async def run(self, query: Query) -> Outcome:
        """Answer the page's question; every failure is a message on the page, with the right status."""
        if query.mode is Mode.FORM:
            return Outcome()
        if query.mode is Mode.INVALID:
            return Outcome(status_code=422, message=query.error)
        try:
            if query.mode is Mode.BY_QR:
                key = await self.keys.get(self.upstreams)
                if not signature.qr_token_valid(key.public_raw, query.number, query.token):
                    key = await self.keys.get(self.upstreams, key_id="")  # perhaps rotated: fetch once more
                    if not signature.qr_token_valid(key.public_raw, query.number, query.token):
                        return Outcome(
                            status_code=400, signature_valid=False, message="二维码签名无效，链接可能被篡改"
                        )
            else:
                json_or_problem(
                    await self.upstreams.registry.request(
                        "GET",
                        paths.REGISTRY_PUBLIC_LOOKUP.format(number=query.number),
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
