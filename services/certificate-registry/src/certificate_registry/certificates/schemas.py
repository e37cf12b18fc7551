"""Wire shapes of issued certificates: issue results, rosters, public and full records, revocation.

The public view, the full record and the issue outcome are the v1 contracts other services parse.
"""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict

from skills_shared.contracts.v1.registry import (
    CertificateRecord,
    IssueOutcome,
    PublicCertificate,
    Reason,
)

__all__ = [
    "CertificateRecord",
    "IssueOutcome",
    "PublicCertificate",
    "RevocationIn",
    "RosterEntry",
    "RosterOut",
]


class RosterEntry(BaseModel):
    """One line of the 获证人员名册."""

    model_config = ConfigDict(title="RosterEntry")

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
    """The 获证人员名册 of a batch: one document generated with the numbers (seed 002 六(五)), not paged."""

    model_config = ConfigDict(title="Roster")

    batch_id: uuid.UUID
    body_code: str
    body_name: str
    entries: list[RosterEntry]


class RevocationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        title="Revocation",
        json_schema_extra={"examples": [{"reason": "经核查，持证人以欺骗手段取得证书"}]},
    )

    reason: Reason
