"""ORM model of the development signing key, generated once when no key is configured."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, LargeBinary, String, func
from sqlalchemy.orm import Mapped, mapped_column

from certificate_registry.db import Base


class SigningKeyRow(Base):
    """Decision: without REGISTRY_SIGNING_KEY_SEED the first start generates a key and keeps it here, so
    signatures stay verifiable across restarts in development. Production sets the seed from a secret store."""

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16), unique=True)
    seed: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
