"""Settings of the certificate-registry service (environment prefix ``REGISTRY_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from skills_shared.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    """Certificate registry settings; every field can be set as ``REGISTRY_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore", populate_by_name=True)

    service_name: str = "certificate-registry"
    port: int = 8001
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/skills_registry"
