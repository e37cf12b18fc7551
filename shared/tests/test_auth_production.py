"""Production auth: JWKS user tokens beside HMAC service tokens, no algorithm confusion, no development secret."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError

from skills_shared.auth import Role, TokenVerifier, mint_token
from skills_shared.problems import Problem
from skills_shared.settings import DEV_JWT_SECRET, ServiceSettings

SECRET = "production-service-secret-0123456789abcdef"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def verifier(rsa_key: rsa.RSAPrivateKey) -> Iterator[TokenVerifier]:
    """A JWKS served over real HTTP on loopback, as an identity provider would publish it."""
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    jwk.update({"kid": "idp-1", "use": "sig", "alg": "RS256"})
    body = json.dumps({"keys": [jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield TokenVerifier(
            secret=SECRET,
            audience="skills-suite",
            issuer="skills-dev",
            algorithms=("HS256",),
            jwks_url=f"http://127.0.0.1:{server.server_port}/jwks.json",
        )
    finally:
        server.shutdown()


def claims(**extra: object) -> dict[str, object]:
    return {
        "sub": "500101199001011234",
        "role": "citizen",
        "aud": "skills-suite",
        "iss": "skills-dev",
        "exp": int(time.time()) + 60,
        **extra,
    }


async def test_identity_provider_tokens_verify_from_the_jwks(
    verifier: TokenVerifier, rsa_key: rsa.RSAPrivateKey
) -> None:
    token = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "idp-1"})
    assert (await verifier.verify(token)).role == Role.CITIZEN
    assert verifier.principal(token).role == Role.CITIZEN, (
        "once fetched, the keys serve synchronous checks too"
    )


async def test_the_jwks_is_fetched_without_blocking_the_event_loop(
    verifier: TokenVerifier, rsa_key: rsa.RSAPrivateKey
) -> None:
    """The keys come over an async client: other coroutines run while the fetch is under way."""
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0)

    running = asyncio.create_task(ticker())
    token = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "idp-1"})
    await verifier.verify(token)
    stop.set()
    await running
    assert ticks > 1


def test_service_tokens_still_verify_with_the_local_secret(verifier: TokenVerifier) -> None:
    token = mint_token(SECRET, sub="org-filing", role="service")
    assert verifier.principal(token).role == Role.SERVICE


def test_public_key_used_as_hmac_secret_is_refused(
    verifier: TokenVerifier, rsa_key: rsa.RSAPrivateKey
) -> None:
    """Algorithm confusion: sign HS256 with the published public key; it must not pass as the JWKS key."""
    public_pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    signing_input = (
        b64(b'{"alg":"HS256","typ":"JWT","kid":"idp-1"}') + b"." + b64(json.dumps(claims()).encode())
    )
    signature = b64(hmac.new(public_pem, signing_input, hashlib.sha256).digest())
    with pytest.raises(Problem) as exc:
        verifier.principal((signing_input + b"." + signature).decode())
    assert exc.value.status == 401


def test_unknown_algorithms_are_refused(verifier: TokenVerifier) -> None:
    unsigned = jwt.encode(claims(), key=None, algorithm="none")
    with pytest.raises(Problem):
        verifier.principal(unsigned)


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="SKILLS_JWT_SECRET must be set in production"):
        ServiceSettings(environment="production", jwt_secret=DEV_JWT_SECRET)
    assert ServiceSettings(environment="production", jwt_secret=SECRET).jwt_secret == SECRET
