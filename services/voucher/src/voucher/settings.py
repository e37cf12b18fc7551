"""Settings of the voucher service (environment prefix ``VOUCHER_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from skills_shared.settings import ServiceSettings

DEV_QR_SECRET = "dev-only-voucher-qr-secret-change-me-0123456789"  # noqa: S105 - development default


class VoucherSettings(ServiceSettings):
    """Training vouchers settings; every field can be set as ``VOUCHER_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="VOUCHER_", extra="ignore", populate_by_name=True)
    development_secrets: ClassVar[dict[str, str]] = {
        **ServiceSettings.development_secrets,
        "qr_secret": DEV_QR_SECRET,
    }

    service_name: str = "voucher"
    port: int = 8004
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/skills_voucher"
    # A 300,000-holder issue list is ~15 MB of JSON; everything else stays far below the suite's 2 MB default.
    max_body_bytes: int = Field(default=40_000_000, ge=1024)
    qr_secret: str = Field(
        default=DEV_QR_SECRET, description="HMAC key signing the holder's QR tokens (V-5)."
    )
    qr_ttl_s: int = Field(default=120, ge=10, le=600, description="How long a shown QR token stays valid.")
    check_in_radius_m: float = Field(
        default=300.0, gt=0, le=10_000, description="V-7: how far from a class site a check-in is accepted."
    )
    lapse_interval_s: float = Field(
        default=3600.0,
        ge=0,
        description="V-4: seconds between the service's own lapse runs (0: only POST /v1/lapse-runs).",
    )
    bulk_issue_max: int = Field(default=500_000, ge=1, description="Most holders one issue request may name.")
