"""Settings every service shares, read from the environment with a per-service prefix."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "dev-only-secret-change-me-0123456789abcdef"  # noqa: S105 - development default, refused in production
"""Shared development secret: every service and `make token` agree on it so a fresh checkout just works."""


class ServiceSettings(BaseSettings):
    """Base settings; a service subclasses it and sets ``env_prefix`` (``REGISTRY_``, ``VOUCHER_`` ...).

    Secrets and cross-service addresses also read an unprefixed ``SKILLS_*`` name so one environment file can
    configure the whole suite.
    """

    model_config = SettingsConfigDict(env_prefix="SKILLS_", extra="ignore", populate_by_name=True)

    service_name: str = "service"
    environment: str = Field(default="development", description="development | test | production")
    database_url: str = Field(
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
        description="SQLAlchemy URL (postgresql+asyncpg://...) of this service's own database.",
    )
    database_read_url: str | None = Field(
        default=None,
        description="Optional read-only replica URL used by look-up paths; defaults to database_url.",
    )
    database_pool_size: int = Field(default=10, ge=1, le=200)
    jwt_secret: str = Field(
        default=DEV_JWT_SECRET,
        validation_alias=AliasChoices("SKILLS_JWT_SECRET", "jwt_secret"),
        description="HS256 secret (development). Production uses jwks_url.",
    )
    jwt_algorithms: list[str] = Field(default=["HS256"], description="Accepted JWT algorithms.")
    jwt_audience: str = Field(
        default="skills-suite", validation_alias=AliasChoices("SKILLS_JWT_AUDIENCE", "jwt_audience")
    )
    jwt_issuer: str = Field(
        default="skills-dev", validation_alias=AliasChoices("SKILLS_JWT_ISSUER", "jwt_issuer")
    )
    jwks_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("SKILLS_JWKS_URL", "jwks_url"),
        description="JWKS URL for RS256/ES256 tokens in production.",
    )
    service_token_ttl_s: int = Field(default=300, ge=30, le=3600)
    log_level: str = "INFO"
    log_json: bool = True
    request_timeout_s: float = Field(default=3.0, gt=0, le=60)
    max_body_bytes: int = Field(default=2_000_000, ge=1024, description="Requests larger than this get 413.")
    outbox_poll_s: float = Field(default=0.5, gt=0)
    gateway_url: str = Field(
        default="http://127.0.0.1:8000", validation_alias=AliasChoices("SKILLS_GATEWAY_URL", "gateway_url")
    )
    registry_url: str = Field(
        default="http://127.0.0.1:8001", validation_alias=AliasChoices("SKILLS_REGISTRY_URL", "registry_url")
    )
    org_filing_url: str = Field(
        default="http://127.0.0.1:8002",
        validation_alias=AliasChoices("SKILLS_ORG_FILING_URL", "org_filing_url"),
    )
    subsidy_url: str = Field(
        default="http://127.0.0.1:8003", validation_alias=AliasChoices("SKILLS_SUBSIDY_URL", "subsidy_url")
    )
    voucher_url: str = Field(
        default="http://127.0.0.1:8004", validation_alias=AliasChoices("SKILLS_VOUCHER_URL", "voucher_url")
    )

    @property
    def read_url(self) -> str:
        """The URL look-ups use: the replica when configured, otherwise the primary."""
        return self.database_read_url or self.database_url
