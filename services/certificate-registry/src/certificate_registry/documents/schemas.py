"""Wire shapes of the signed credential, the published keys (v1 contracts) and the verifier."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from skills_shared.contracts.v1.registry import (
    CertificateCredentialDocument,
    PublishedKeys,
    SigningKeyInfo,
)

CredentialDocument = CertificateCredentialDocument
"""What ``/document`` answers (the v1 contract)."""
SigningKeyOut = SigningKeyInfo
JwksOut = PublishedKeys


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
