"""Wire shapes of the signed credential, the published keys and the verifier."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class CredentialDocument(BaseModel):
    """What ``/document`` answers: the signed credential, its decoded content and the certificate's live status."""

    credential: str = Field(
        description="The W3C Verifiable Credential as a compact JWS (`application/vc+jwt`)."
    )
    media_type: str = "application/vc+jwt"
    key_id: str = Field(description="`kid` of the signing key in the JWKS.")
    algorithm: str = Field(description="JOSE `alg`: EdDSA (Ed25519).")
    document: dict[str, Any] = Field(description="The credential the JWS carries, decoded for reading.")
    status: str
    revoked_reason: str | None = None
    revoked_on: str | None = None


class SigningKeyOut(BaseModel):
    key_id: str
    algorithm: str
    public_key: str = Field(description="base64url of the raw 32-byte Ed25519 public key.")
    public_key_pem: str
    jwks_url: str = Field(description="Every key that ever signed, by kid (retired ones included).")


class Jwk(BaseModel):
    kty: str
    crv: str
    x: str
    kid: str
    alg: str
    use: str


class JwksOut(BaseModel):
    keys: list[Jwk]


class VerifyIn(BaseModel):
    """Either what ``/document`` answered (or just its ``credential``), or a former signed JSON document with its
    signature. Other members of the fetched answer are accepted and ignored."""

    model_config = ConfigDict(extra="ignore")

    credential: str | None = Field(default=None, max_length=20_000)
    document: dict[str, Any] | None = None
    signature: str | None = Field(default=None, max_length=200)
    key_id: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _something_to_check(self) -> VerifyIn:
        if self.credential is None and (self.document is None or self.signature is None):
            raise ValueError("应提供 credential，或 document 与 signature")
        return self


class VerifyOut(BaseModel):
    valid: bool
    key_id: str | None = Field(description="The key that signed, when the signature holds.")
    revoked: bool | None = Field(
        default=None, description="Whether the certificate is revoked now (known when the signature holds)."
    )
