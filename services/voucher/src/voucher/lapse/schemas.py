"""Wire shapes of the lapse run (V-4)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from skills_shared.validators import IsoDate


class LapseRunRequest(BaseModel):
    """Lapse as of a day (default today); never a day after today. ``{"as_of": 0}`` is not a date."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}, {"as_of": "2026-12-01"}]})

    as_of: IsoDate | None = Field(default=None, description="失效处理的基准日（YYYY-MM-DD），默认为今天")


class LapseRunOut(BaseModel):
    as_of: date
    lapsed_not_used: int
    lapsed_not_completed: int
