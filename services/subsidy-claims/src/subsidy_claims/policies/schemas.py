"""Wire schemas of the policy routes: versions, and the operator-loaded tables (the preview's request and answer are
contracts: ``PolicyPreview`` and ``SubsidyDecision``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from skills_shared.contracts.v1.subsidy import CatalogueClass
from skills_shared.reference import CertificateKind
from skills_shared.validators import OccupationCode


class SubsidyPolicyVersion(BaseModel):
    """One version of a policy and the period it is in force."""

    model_config = ConfigDict(extra="forbid")

    policy: Literal["cq-eval", "sh-upgrade"]
    version: str
    document: str
    effective_from: date
    effective_to: date | None


class CqAmountRow(BaseModel):
    """One cell of the CQ-10 amount table: certificate kind and level → amount."""

    model_config = ConfigDict(extra="forbid")

    kind: CertificateKind
    level: Annotated[
        int, Field(strict=True, ge=0, le=5, description="1–5, or 0 for certificates without level")
    ]
    amount_fen: Annotated[int, Field(strict=True, gt=0, le=100_000_000, description="Amount in fen.")]


class CqAmountTableLoad(BaseModel):
    """A new version of the CQ-10 amount table (渝人社发〔2024〕13号); each kind and level at most once."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "version": "渝人社发〔2024〕13号",
                    "amounts": [
                        {"kind": "skill_level", "level": 3, "amount_fen": 130000},
                        {"kind": "special_ability", "level": 0, "amount_fen": 40000},
                    ],
                }
            ]
        },
    )

    version: Annotated[str, Field(min_length=1, max_length=100)]
    amounts: Annotated[list[CqAmountRow], Field(min_length=1, max_length=100)]


class ShCatalogueEntry(BaseModel):
    """SH-2: an occupation (or one of its 工种) and its catalogue class."""

    model_config = ConfigDict(extra="forbid")

    occupation_code: OccupationCode
    work_type: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    catalogue_class: CatalogueClass


class ShCatalogueLoad(BaseModel):
    """Entries of the SH-2 catalogue to add or change; each occupation / 工种 at most once."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "entries": [
                        {"occupation_code": "4-01-02-03", "catalogue_class": "A"},
                        {"occupation_code": "4-10-01-05", "work_type": "养老护理员", "catalogue_class": "B"},
                    ]
                }
            ]
        },
    )

    entries: Annotated[list[ShCatalogueEntry], Field(min_length=1, max_length=5000)]


class PolicyTableLoaded(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["loaded"] = "loaded"
    rows: int
