"""Settings every service shares, read from the environment with a per-service prefix."""

from __future__ import annotations

import os
from typing import Any, ClassVar

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "dev-only-secret-change-me-0123456789abcdef"  # noqa: S105 - development default, refused in production
"""Shared development secret: every service and `make token` agree on it so a fresh checkout just works."""
DEV_AUDIT_ANCHOR_KEY = "c2tpbGxzLWRldi1hdWRpdC1hbmNob3Ita2V5LTAxMjM="
"""Development Ed25519 seed of audit checkpoints (base64 of 32 bytes)."""


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
    database_pool_size: int = Field(
        default=20,
        ge=1,
        le=200,
        description="Kept-open database connections per process; bursts may open half as many again.",
    )
    database_warm_connections: int = Field(
        default=4,
        ge=0,
        le=200,
        description="Connections opened before the first request (each pool; at most the pool size): a fresh "
        "process answers its first second as fast as its hundredth (skills_shared.warmup).",
    )
    jwt_secret: str = Field(
        default=DEV_JWT_SECRET,
        validation_alias="SKILLS_JWT_SECRET",
        description="HS256 secret (development). Production uses jwks_url.",
    )
    jwt_algorithms: list[str] = Field(default=["HS256"], description="Accepted JWT algorithms.")
    jwt_audience: str = Field(default="skills-suite", validation_alias="SKILLS_JWT_AUDIENCE")
    jwt_issuer: str = Field(default="skills-dev", validation_alias="SKILLS_JWT_ISSUER")
    jwks_url: str | None = Field(
        default=None,
        validation_alias="SKILLS_JWKS_URL",
        description="JWKS URL for RS256/ES256 tokens in production.",
    )
    service_token_ttl_s: int = Field(default=300, ge=30, le=3600)
    log_level: str = "INFO"
    log_json: bool = True
    access_log: bool = Field(
        default=True,
        description="One JSON line per request: method, route, status, duration (masked like all).",
    )
    request_timeout_s: float = Field(default=3.0, gt=0, le=60)
    max_body_bytes: int = Field(default=2_000_000, ge=1024, description="Requests larger than this get 413.")
    max_header_bytes: int = Field(
        default=16_384,
        ge=4096,
        le=1_048_576,
        description="Request headers larger than this in total get 431, before anything parses them.",
    )
    trusted_proxies: str = Field(
        default="",
        validation_alias="SKILLS_TRUSTED_PROXIES",
        description=(
            "Comma-separated addresses or CIDR networks of the reverse proxies whose X-Forwarded-For is believed "
            "(the ingress controller's pods). Empty: the header is ignored and the connection's peer is the client."
        ),
    )
    outbox_poll_s: float = Field(default=0.5, gt=0)
    audit_anchor_dir: str | None = Field(
        default=None,
        validation_alias="SKILLS_AUDIT_ANCHOR_DIR",
        description="Append-only directory of signed audit checkpoints, outside the database; unset: none kept.",
    )
    audit_anchor_key: str | None = Field(
        default=None,
        validation_alias="SKILLS_AUDIT_ANCHOR_KEY",
        description="Ed25519 seed (base64, 32 bytes) signing audit checkpoints; development key when unset.",
    )
    audit_anchor_interval_s: float = Field(
        default=60.0, gt=0, description="Seconds between audit checkpoints."
    )
    gateway_url: str = Field(default="http://127.0.0.1:8000", validation_alias="SKILLS_GATEWAY_URL")
    registry_url: str = Field(default="http://127.0.0.1:8001", validation_alias="SKILLS_REGISTRY_URL")
    org_filing_url: str = Field(
        default="http://127.0.0.1:8002",
        validation_alias="SKILLS_ORG_FILING_URL",
    )
    subsidy_url: str = Field(default="http://127.0.0.1:8003", validation_alias="SKILLS_SUBSIDY_URL")
    voucher_url: str = Field(default="http://127.0.0.1:8004", validation_alias="SKILLS_VOUCHER_URL")

    @property
    def read_url(self) -> str:
        """The URL look-ups use: the replica when configured, otherwise the primary."""
        return self.database_read_url or self.database_url

    development_secrets: ClassVar[dict[str, str]] = {
        "jwt_secret": DEV_JWT_SECRET,
        "audit_anchor_key": DEV_AUDIT_ANCHOR_KEY,
    }
    """Fields whose default is a secret published in this repository: a service adds its own (voucher's QR key)."""
    required_in_production: ClassVar[tuple[str, ...]] = ()
    """Fields that have a development fallback but must be set in production (the registry's signing seed)."""

    def production_refusals(self) -> list[str]:
        """Every reason this configuration is unsafe for production (empty when it is safe)."""
        reasons = []
        for name, public in self.development_secrets.items():
            if getattr(self, name, None) == public:
                reasons.append(f"{name} is the development default, which is public: set it")
        reasons.extend(
            f"{name} must be set in production"
            for name in self.required_in_production
            if not getattr(self, name, None)
        )
        if self.audit_anchor_dir and not self.audit_anchor_key:
            reasons.append(
                "audit_anchor_key must be set when audit_anchor_dir is: the development key is public"
            )
        origins: Any = getattr(self, "cors_allow_origins", ())
        if "*" in origins:
            reasons.append("cors_allow_origins must list the allowed origins, never '*'")
        if os.environ.get("SKILLS_SANDBOX_CLOCK_FILE", "").strip():
            reasons.append("SKILLS_SANDBOX_CLOCK_FILE is set: production runs on the real clock only")
        return reasons

    @model_validator(mode="after")
    def _nothing_unsafe_in_production(self) -> ServiceSettings:
        """A production process refuses to start on development secrets, missing keys, a moved clock or CORS *."""
        if self.environment == "production":
            reasons = self.production_refusals()
            if any(r.startswith("jwt_secret") for r in reasons):
                reasons.insert(
                    0, "SKILLS_JWT_SECRET must be set in production: the development secret is public"
                )
            if reasons:
                raise ValueError("; ".join(reasons))
        return self
