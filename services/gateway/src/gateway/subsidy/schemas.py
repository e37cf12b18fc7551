"""Wire shapes of the subsidy application workflow."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class SubsidyApplicationIn(BaseModel):
    """What a citizen sends: which certificate, under which policy, and the policy's own facts.

    The applicant is the token's subject and the certificate's details come from the registry, so neither can be
    typed in wrongly; ``cq`` / ``sh`` / ``payout`` are checked by subsidy-claims, whose field errors come back
    unchanged.
    """

    model_config = ConfigDict(extra="forbid")

    policy: Literal["cq-eval", "sh-upgrade"]
    certificate_number: str = Field(pattern=r"^[A-Z][0-9]{21}$", description="证书编号 (CR-1)")
    holder_name: str = Field(min_length=1, max_length=50, description="持证人姓名，须与证书一致")
    cq: dict[str, Any] | None = Field(default=None, description="cq-eval facts (subsidy-claims CqIn)")
    sh: dict[str, Any] | None = Field(default=None, description="sh-upgrade facts (subsidy-claims ShIn)")
    payout: dict[str, Any] = Field(description="Where the money goes (subsidy-claims PayoutIn)")
    declared_past_subsidies: list[dict[str, Any]] = Field(default_factory=list, max_length=50)


class DecisionRecord(BaseModel):
    """The submitted claim as subsidy-claims returns it, with its decision record."""

    model_config = ConfigDict(extra="allow")

    id: str
    status: str
    decision: dict[str, Any] | None = None
