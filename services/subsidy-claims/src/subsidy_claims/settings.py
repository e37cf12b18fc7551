"""Settings of the subsidy-claims service (environment prefix ``SUBSIDY_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from skills_shared.settings import ServiceSettings


class SubsidySettings(ServiceSettings):
    """Subsidy claims settings; every field can be set as ``SUBSIDY_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="SUBSIDY_", extra="ignore", populate_by_name=True)

    service_name: str = "subsidy-claims"
    port: int = 8003
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/skills_subsidy"
    registry_retries: int = 1
    draft_retention_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="A draft untouched this long is abandoned and purged (issue 20).",
    )
