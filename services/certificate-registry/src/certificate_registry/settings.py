"""Settings of the certificate-registry service (environment prefix ``REGISTRY_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from certificate_registry.photos.settings import PhotoStoreSettings
from skills_shared.settings import ServiceSettings


class RegistrySettings(PhotoStoreSettings, ServiceSettings):
    """Certificate registry settings; every field can be set as ``REGISTRY_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore", populate_by_name=True)
    required_in_production: ClassVar[tuple[str, ...]] = ("signing_key_seed",)

    service_name: str = "certificate-registry"
    port: int = 8001
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/skills_registry"
    max_body_bytes: int = Field(
        default=8_000_000,
        ge=1024,
        description="A 10,000-candidate upload is about 2–4 MB of JSON; anything past 8 MB is refused with 413.",
    )
    signing_key_seed: str | None = Field(
        default=None,
        description="Base64 of the 32-byte Ed25519 private seed. Unset: a key is generated once and kept in the "
        "database (development only).",
    )
    lookup_pool_size: int = Field(
        default=10, ge=1, le=100, description="asyncpg pool of the look-up hot path."
    )
