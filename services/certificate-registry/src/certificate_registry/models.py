"""Imports every ORM model so that Alembic and the app see the whole schema."""

from __future__ import annotations

from certificate_registry.batches.models import Batch, Candidate, Objection, TitleDeclaration
from certificate_registry.certificates.models import Certificate, SerialCounter
from certificate_registry.db import Base
from certificate_registry.documents.models import SigningKeyRow
from certificate_registry.issuers.models import Issuer

__all__ = [
    "Base",
    "Batch",
    "Candidate",
    "Certificate",
    "Issuer",
    "Objection",
    "SerialCounter",
    "SigningKeyRow",
    "TitleDeclaration",
]
