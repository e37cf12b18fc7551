"""Settings of the org-filing service (environment prefix ``ORGFILING_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from skills_shared.settings import ServiceSettings


class OrgFilingSettings(ServiceSettings):
    """Org filing settings; every field can be set as ``ORGFILING_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="ORGFILING_", extra="ignore", populate_by_name=True)

    service_name: str = "org-filing"
    port: int = 8002
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/skills_org_filing"
    outbox_enabled: bool = True
    """Run the outbox delivery loop in this process (tests drive delivery by hand)."""
