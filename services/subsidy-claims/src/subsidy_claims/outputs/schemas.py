"""Wire schemas of the outputs: a publicity entry and a statistics row."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PublicityEntry(BaseModel):
    """CQ-5 / SH-11 publicity: name, occupation (工种), level and amount; the ID number only masked."""

    model_config = ConfigDict(extra="forbid")

    name: str
    id_masked: str
    occupation: str
    work_type: str | None
    level: str = Field(description="The level's name, e.g. 三级/高级工; —— for certificates without level.")
    amount_fen: int | None
    amount_yuan: str
    district_code: str | None
    publicity_ends_on: date | None = Field(
        description="Last day of publicity (CQ-5 / SH-11, P-1); null while the working-day calendar does not "
        "cover it (P-3: a publicity started late in December ends in a year not yet published), never guessed."
    )


class ClaimStatistics(BaseModel):
    """Submitted claims, payments and the amount paid, for one policy and one value of the grouping."""

    model_config = ConfigDict(extra="forbid")

    policy: Literal["cq-eval", "sh-upgrade"]
    key: str | None = Field(
        description="The district code, occupation code, level (as text) or YYYY-MM month."
    )
    claims: int
    paid: int
    paid_fen: int
