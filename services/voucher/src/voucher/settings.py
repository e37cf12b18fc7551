"""Settings of the voucher service (environment prefix ``VOUCHER_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from skills_shared.settings import ServiceSettings


class VoucherSettings(ServiceSettings):
    """Training vouchers settings; every field can be set as ``VOUCHER_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="VOUCHER_", extra="ignore", populate_by_name=True)

    service_name: str = "voucher"
    port: int = 8004
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/skills_voucher"
