"""Wire shapes of the issuer list: what org-filing PUTs and what a look-up returns."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from certificate_registry.fields import Name100, Name200, SaneDate
from certificate_registry.issuers.rules import IssuerStatus, Jurisdiction
from skills_shared.validators import OccupationCode


class ScopeItem(BaseModel):
    """One filed occupation: its 工种 (empty when the occupation has none) and the levels filed (CR-3)."""

    model_config = ConfigDict(extra="forbid")

    occupation_code: OccupationCode
    occupation_name: Name100
    work_types: list[Name100] = Field(default_factory=list, max_length=100)
    levels: list[int] = Field(min_length=1, max_length=5)

    @field_validator("levels")
    @classmethod
    def _levels(cls, levels: list[int]) -> list[int]:
        if any(level < 1 or level > 5 for level in levels):
            raise ValueError("等级代码应为1–5")
        if len(set(levels)) != len(levels):
            raise ValueError("等级不能重复")
        return sorted(levels)


class IssuerPut(BaseModel):
    """The whole issuer state; a PUT replaces it, so replays and re-ordered deliveries converge."""

    model_config = ConfigDict(extra="ignore")

    name: Name200 = Field(description="Name exactly as filed; printed on certificates (CR-5).")
    status: IssuerStatus
    scope: list[ScopeItem] = Field(max_length=500)
    level_scope: Jurisdiction | None = Field(
        default=None,
        description="city: levels 1–5; district: 3–5 (CR-3). Default: city when the place is 00.",
    )
    valid_from: SaneDate
    valid_to: SaneDate
    merged_into: str | None = Field(default=None, min_length=13, max_length=13, pattern=r"^[SY][0-9]{12}$")

    @model_validator(mode="after")
    def _order(self) -> IssuerPut:
        if self.valid_from > self.valid_to:
            raise ValueError("备案有效期起始日不能晚于截止日")
        codes = [item.occupation_code for item in self.scope]
        if len(set(codes)) != len(codes):
            raise ValueError("同一职业在备案范围内出现多次")
        return self


class IssuerOut(BaseModel):
    code: str
    category: str
    route: str
    province: str
    place: str
    place_name: str
    sequence: str
    name: str
    level_scope: Jurisdiction
    scope: list[ScopeItem]
    valid_from: date
    valid_to: date
    status: IssuerStatus
    retired: bool = Field(description="Cancelled or merged: kept for look-up and tracing only (CR-2).")
    merged_into: str | None = None
