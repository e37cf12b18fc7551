"""Settings of the gateway service (environment prefix ``GATEWAY_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from skills_shared.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    """Skills suite gateway settings; every field can be set as ``GATEWAY_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", populate_by_name=True)

    service_name: str = "gateway"
    port: int = 8000
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/skills_gateway"
