"""Pydantic building blocks shared by the domains: content-hash attachments, masked people, verdicts."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from skills_shared.refusals import Verdict

Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$", to_lower=True)]
"""An attachment is referenced by the SHA-256 of its bytes: the file store is content-addressed."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Level = Annotated[
    int, Field(strict=True, ge=1, le=5, description="等级代码 1–5（1 一级/高级技师 … 5 五级/初级工）")
]
PlaceCode = Annotated[str, StringConstraints(pattern=r"^[0-4][0-9]$")]
Phone = Annotated[str, StringConstraints(pattern=r"^[0-9+\-() ]{7,20}$")]


def _distinct_sorted(levels: list[int]) -> list[int]:
    if len(set(levels)) != len(levels):
        raise ValueError("评价等级不能重复")
    return sorted(levels)


Levels = Annotated[list[Level], Field(min_length=1, max_length=5), AfterValidator(_distinct_sorted)]
"""A level range as filed: 1–5, no repeats, kept sorted."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AttachmentRef(Strict):
    """A file referenced by content hash; the bytes live in the content-addressed store."""

    sha256: Sha256Hex
    filename: Text
    size_bytes: int = Field(strict=True, ge=1, le=200_000_000)


class VerdictOut(BaseModel):
    rule: str
    check: str
    outcome: str
    detail: str

    @classmethod
    def of(cls, v: Verdict) -> VerdictOut:
        return cls(rule=v.rule, check=v.check, outcome=v.outcome, detail=v.detail)
