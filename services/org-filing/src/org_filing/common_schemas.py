"""Pydantic building blocks shared by the domains (their home is org-filing's public contract), and verdicts."""

from __future__ import annotations

from pydantic import BaseModel

from skills_shared.contracts.v1.org_filing import (
    AttachmentRef,
    Level,
    Levels,
    LongText,
    Phone,
    PlaceCode,
    Sha256Hex,
    Strict,
    Text,
)
from skills_shared.refusals import Verdict

__all__ = [
    "AttachmentRef",
    "Level",
    "Levels",
    "LongText",
    "Phone",
    "PlaceCode",
    "Sha256Hex",
    "Strict",
    "Text",
    "VerdictOut",
]


class VerdictOut(BaseModel):
    rule: str
    check: str
    outcome: str
    detail: str

    @classmethod
    def of(cls, v: Verdict) -> VerdictOut:
        return cls(rule=v.rule, check=v.check, outcome=v.outcome, detail=v.detail)
