"""Wire schemas of the policy endpoints."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from subsidy_claims.claims.schemas import (
    ApplicantIn,
    CatalogueIn,
    CertificateIn,
    CqIn,
    PastSubsidyIn,
    ShIn,
    Strict,
)
from subsidy_claims.policies.facts import CertificateKind


class PolicyVersionOut(BaseModel):
    policy: str
    version: str
    document: str
    effective_from: date
    effective_to: date | None


class EvaluateIn(Strict):
    """Facts to evaluate without storing anything; the certificate counts as unverified (CQ-4 / SH-2)."""

    applied_on: date | None = None
    applicant: ApplicantIn
    certificate: CertificateIn
    cq: CqIn | None = None
    sh: ShIn | None = None
    declared_past_subsidies: list[PastSubsidyIn] = Field(default_factory=list, max_length=50)


class DecisionOut(BaseModel):
    policy: str
    policy_version: str
    evaluated_on: date
    outcome: str
    results: list[dict[str, str]]
    amount: dict[str, Any] | None
    review_district: str | None
    funding: dict[str, Any] | None
    notes: list[str]


class AmountRowIn(Strict):
    kind: CertificateKind
    level: Annotated[int, Field(ge=0, le=5, description="1–5, or 0 for certificates without level")]
    amount_fen: Annotated[int, Field(gt=0, le=100_000_000)]


class CqAmountTableIn(Strict):
    version: Annotated[str, Field(min_length=1, max_length=100)]
    amounts: Annotated[list[AmountRowIn], Field(min_length=1, max_length=100)]


class CatalogueLoadIn(Strict):
    entries: Annotated[list[CatalogueIn], Field(min_length=1, max_length=5000)]


class Loaded(BaseModel):
    status: Literal["loaded"] = "loaded"
    rows: int
