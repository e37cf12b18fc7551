"""Wire shapes of evaluation batches, result uploads, publicity and objections."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from certificate_registry.batches.rules import MAX_CANDIDATES, BatchStatus, Method
from certificate_registry.fields import Name100, Reason, SaneDate
from skills_shared.validators import OccupationCode


class BatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body_code: str = Field(min_length=13, max_length=13, pattern=r"^[SY][0-9]{12}$")
    plan_ref: Name100 = Field(description="Reference of the filed evaluation plan (OF-5).")
    occupation_code: OccupationCode
    occupation_name: Name100
    work_type: Name100 | None = Field(default=None, description="工种; null when the occupation has none.")
    level: int = Field(ge=1, le=5)
    evaluation_date: SaneDate
    method: Method
    guantong: bool = Field(
        default=False, description="贯通 batch: a 3-expert panel scores each subject (CR-8)."
    )


class BatchOut(BaseModel):
    id: uuid.UUID
    body_code: str
    plan_ref: str
    occupation_code: str
    occupation_name: str
    work_type: str | None
    level: int
    evaluation_date: date
    method: Method
    guantong: bool
    status: BatchStatus
    candidate_count: int
    passed_count: int
    publicity_starts: date | None
    publicity_ends: date | None
    approved_at: datetime | None


class CandidateIn(BaseModel):
    """One result row. Types are checked here; the domain checks (checksum, duplicates, subjects) run on the
    whole upload at once so that a single 422 lists every bad row."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200)
    id_number: str = Field(max_length=40)
    gender: str = Field(max_length=4, description="男 or 女; must agree with the ID number.")
    photo_ref: str | None = Field(default=None, max_length=400, description="Reference of the 2-inch photo.")
    scores: dict[str, StrictInt] = Field(
        default_factory=dict, max_length=3, description="One score per subject, 0–100."
    )
    panel: dict[str, list[StrictInt]] = Field(
        default_factory=dict, max_length=3, description="贯通: the three experts' scores per subject (CR-8)."
    )


class ResultsUpload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidates: list[CandidateIn] = Field(min_length=1, max_length=MAX_CANDIDATES)


class UploadOut(BaseModel):
    batch_id: uuid.UUID
    candidate_count: int
    passed_count: int


class PublicityCandidate(BaseModel):
    candidate_id: int
    name: str
    id_number_masked: str
    passed: bool


class PublicityOut(BaseModel):
    """The 公示 list: masked ID numbers only (personal data)."""

    batch_id: uuid.UUID
    body_code: str
    body_name: str
    occupation_name: str
    work_type: str | None
    level: int
    publicity_starts: date | None
    publicity_ends: date | None
    candidates: list[PublicityCandidate]


class ObjectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidate_id: int = Field(ge=1)
    reason: Reason


class ResolutionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["upheld", "dismissed"]
    note: Reason


class ObjectionOut(BaseModel):
    id: int
    batch_id: uuid.UUID
    candidate_id: int
    status: Literal["pending", "upheld", "dismissed"]
    reason: str
    resolution_note: str | None = None
