"""Wire shapes of signed documents and the published key."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SignedDocument(BaseModel):
    document: dict[str, Any]
    signature: str = Field(description="base64url Ed25519 signature over the canonical JSON of `document`.")
    key_id: str
    algorithm: str = "Ed25519"


class SigningKeyOut(BaseModel):
    key_id: str
    algorithm: str
    public_key: str = Field(description="base64url of the raw 32-byte Ed25519 public key.")
    public_key_pem: str
    canonical_form: str = "JSON, keys sorted, no whitespace, UTF-8 (not ASCII-escaped)"


class VerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document: dict[str, Any]
    signature: str = Field(max_length=200)


class VerifyOut(BaseModel):
    valid: bool
    key_id: str
