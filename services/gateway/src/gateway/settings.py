"""Settings of the gateway service (environment prefix ``GATEWAY_``)."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from skills_shared.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    """Skills suite gateway settings; every field can be set as ``GATEWAY_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", populate_by_name=True)

    service_name: str = "gateway"
    port: int = 8000
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/skills_gateway"

    upstream_timeout_s: float = Field(
        default=3.0, gt=0, le=60, description="Timeout of one hop to a service (connect + read)."
    )
    upstream_retries: int = Field(
        default=2, ge=0, le=5, description="Extra attempts for safe or keyed calls."
    )
    upstream_backoff_s: float = Field(default=0.1, ge=0, le=5)
    bulk_body_bytes: int = Field(
        default=40_000_000,
        ge=1024,
        description="Body limit of the bulk uploads (batch results, voucher issue lists); others: MAX_BODY_BYTES.",
    )
    bulk_timeout_s: float = Field(
        default=120.0,
        gt=0,
        le=600,
        description="Timeout of the hop that carries a bulk upload to its service.",
    )
    breaker_threshold: int = Field(default=5, ge=1, description="Consecutive failures that open a circuit.")
    breaker_reset_s: float = Field(
        default=10.0, gt=0, description="Seconds an open circuit waits for a trial."
    )
    mine_timeout_s: float = Field(
        default=2.0, gt=0, le=30, description="Budget of each part of the 'my things' answer."
    )

    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("GATEWAY_REDIS_URL", "REDIS_URL", "redis_url"),
        description="Redis for shared rate-limit counters; memory counters when unset.",
    )
    rate_limit_enabled: bool = True
    rate_limit_window_s: int = Field(default=60, ge=1, le=3600)
    rate_limit_per_window: int = Field(default=600, ge=1, description="Requests per client per window.")
    public_rate_limit_per_window: int = Field(
        default=60,
        ge=1,
        description="Stricter budget of the public look-ups (certificate query, verify page).",
    )

    cors_allow_origins: list[str] = Field(default_factory=list, description="Origins allowed by CORS.")
    cors_allow_credentials: bool = False
    cors_max_age_s: int = 600
