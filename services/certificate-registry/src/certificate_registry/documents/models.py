"""ORM models of the signing keys, the public keys ever published, and each credential's status-list slot."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, Integer, LargeBinary, String, func
from sqlalchemy.orm import Mapped, mapped_column

from certificate_registry.db import Base


class SigningKeyRow(Base):
    """Decision: without REGISTRY_SIGNING_KEY_SEED the first start generates a key and keeps it here, so
    signatures stay verifiable across restarts in development. Production sets the seed from a secret store.
    A later row is a rotation: the newest row signs, the older ones stay published (see PublishedKeyRow)."""

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    seed: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PublishedKeyRow(Base):
    """Every public key that has signed a credential, kept for good: the JWKS lists them all by `kid`, so a
    certificate signed before a rotation still verifies after it. Only the public half is stored."""

    __tablename__ = "published_signing_keys"

    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    first_used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CredentialStatusRow(Base):
    """A certificate's slot in the revocation Bitstring Status List, given when its first credential is issued.

    Slots are never reused; a gap (a rolled-back assignment) is simply a bit that stays 0."""

    __tablename__ = "credential_status_entries"

    number: Mapped[str] = mapped_column(String(22), ForeignKey("certificates.number"), primary_key=True)
    list_index: Mapped[int] = mapped_column(BigInteger, Identity(start=0, minvalue=0), unique=True)
