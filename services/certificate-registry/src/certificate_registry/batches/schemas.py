"""Wire shapes of evaluation batches, result uploads, publicity and objections.

What crosses to another service (opening a batch, the batch, an upload and its answer) is the v1 contract in
``skills_shared.contracts.v1.registry``; the shapes only this service's clients see are here.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from skills_shared.contracts.v1.registry import (
    BatchOpen,
    CandidateResult,
    CertificateBatch,
    Reason,
    ResultsUpload,
    ResultsUploaded,
)

__all__ = [
    "BatchOpen",
    "CandidateResult",
    "CertificateBatch",
    "ObjectionIn",
    "ObjectionOut",
    "PublicityCandidate",
    "PublicityOut",
    "ResolutionIn",
    "ResultsUpload",
    "ResultsUploaded",
]


class PublicityCandidate(BaseModel):
    model_config = ConfigDict(title="PublicityCandidate")

    candidate_id: int
    name: str
    id_number_masked: str
    passed: bool


class PublicityOut(BaseModel):
    """The 公示 list: masked ID numbers only (personal data)."""

    model_config = ConfigDict(title="BatchPublicity")

    batch_id: uuid.UUID
    body_code: str
    body_name: str
    occupation_name: str
    work_type: str | None
    level: int
    level_name: str
    publicity_starts: date | None
    publicity_ends: date | None = Field(
        description="Last day of publicity (CR-4, P-1); null while the working-day calendar does not cover it "
        "(P-3: a publicity started late in December ends in a year not yet published), never guessed."
    )
    candidates: list[PublicityCandidate]


class ObjectionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        title="ObjectionLodge",
        json_schema_extra={"examples": [{"candidate_id": 1, "reason": "该考生未实际参加技能操作考核"}]},
    )

    candidate_id: StrictInt = Field(ge=1)
    reason: Reason


class ResolutionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        title="ObjectionResolution",
        json_schema_extra={"examples": [{"outcome": "dismissed", "note": "经核查，考生本人参加了考核"}]},
    )

    outcome: Literal["upheld", "dismissed"]
    note: Reason


class ObjectionOut(BaseModel):
    model_config = ConfigDict(title="Objection")

    id: int
    batch_id: uuid.UUID
    candidate_id: int
    status: Literal["pending", "upheld", "dismissed"]
    reason: str
    resolution_note: str | None = None
