"""Wire shapes of issued certificates: issue results, rosters, public and full records, revocation."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict

from certificate_registry.certificates.rules import CertificateStatus, ObtainedBy
from certificate_registry.fields import Reason


class IssueOut(BaseModel):
    batch_id: uuid.UUID
    issued_count: int
    first_number: str
    last_number: str
    issue_date: date


class RosterEntry(BaseModel):
    """One line of the 获证人员名册."""

    number: str
    name: str
    gender: str
    id_number: str
    occupation_code: str
    occupation_name: str
    work_type: str
    level: int
    level_name: str
    issue_date: date


class RosterOut(BaseModel):
    batch_id: uuid.UUID
    body_code: str
    body_name: str
    entries: list[RosterEntry]


class PublicCertificate(BaseModel):
    """CR-6 public answer: ID number masked."""

    number: str
    holder_name: str
    id_number_masked: str
    occupation_code: str
    occupation_name: str
    work_type: str | None
    level: int
    level_name: str
    issue_date: date
    body_name: str
    status: CertificateStatus
    revoked_reason: str | None = None
    revoked_on: date | None = None


class CertificateRecord(BaseModel):
    """The full record partners check a subsidy claim against (CQ-4, SH-2, SH-7, SH-14)."""

    number: str
    holder_name: str
    id_number: str
    occupation_code: str
    occupation_name: str
    work_type: str | None
    level: int
    issue_date: date
    body_code: str
    body_name: str
    obtained_by: ObtainedBy
    status: CertificateStatus
    revoked_reason: str | None = None
    revoked_on: date | None = None


class RevocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason
