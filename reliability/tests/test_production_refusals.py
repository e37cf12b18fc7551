"""Production refuses what is unsafe (issue 19, item 5): every development secret, a missing signing seed, a
clock override, CORS '*' — each stops the process at start-up with the reason named."""

from __future__ import annotations

import base64
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from certificate_registry.settings import RegistrySettings
from gateway.settings import GatewaySettings
from org_filing.settings import OrgFilingSettings
from skills_shared.app import UnsafeInProduction, create_service_app
from skills_shared.clock import FixedClock, SystemClock
from skills_shared.settings import DEV_JWT_SECRET, ServiceSettings
from subsidy_claims.settings import SubsidySettings
from voucher.settings import DEV_QR_SECRET, VoucherSettings

SECRET = "a-production-secret-that-is-not-in-the-repository-0123"
SEED = base64.b64encode(bytes(range(32))).decode()
SAFE = {
    GatewaySettings: {},
    RegistrySettings: {"signing_key_seed": SEED},
    OrgFilingSettings: {},
    SubsidySettings: {},
    VoucherSettings: {"qr_secret": "a-production-qr-key-0123456789abcdef"},
}


@pytest.mark.parametrize("settings_class", list(SAFE), ids=lambda c: c.__name__)
def test_a_safe_production_configuration_starts(settings_class: type[ServiceSettings]) -> None:
    settings_class(environment="production", jwt_secret=SECRET, **SAFE[settings_class])


@pytest.mark.parametrize("settings_class", list(SAFE), ids=lambda c: c.__name__)
def test_the_development_jwt_secret_is_refused(settings_class: type[ServiceSettings]) -> None:
    with pytest.raises(ValidationError, match="SKILLS_JWT_SECRET must be set in production"):
        settings_class(environment="production", jwt_secret=DEV_JWT_SECRET, **SAFE[settings_class])


def test_the_development_voucher_qr_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="qr_secret is the development default"):
        VoucherSettings(environment="production", jwt_secret=SECRET, qr_secret=DEV_QR_SECRET)
    with pytest.raises(ValidationError, match="qr_secret"):
        VoucherSettings(environment="production", jwt_secret=SECRET)


def test_a_missing_registry_signing_seed_is_refused() -> None:
    with pytest.raises(ValidationError, match="signing_key_seed must be set in production"):
        RegistrySettings(environment="production", jwt_secret=SECRET)
    RegistrySettings(environment="development")  # development generates a key and keeps it in the database


def test_cors_star_is_refused() -> None:
    with pytest.raises(ValidationError, match="never '\\*'"):
        GatewaySettings(environment="production", jwt_secret=SECRET, cors_allow_origins=["*"])
    GatewaySettings(
        environment="production", jwt_secret=SECRET, cors_allow_origins=["https://app.example.cn"]
    )


def test_a_sandbox_clock_file_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SKILLS_SANDBOX_CLOCK_FILE", str(tmp_path / "sandbox-clock.json"))
    with pytest.raises(ValidationError, match="SKILLS_SANDBOX_CLOCK_FILE"):
        OrgFilingSettings(environment="production", jwt_secret=SECRET)


async def test_a_clock_override_stops_a_production_app_at_start_up() -> None:
    settings = ServiceSettings(environment="production", jwt_secret=SECRET, service_name="clocked")
    app = create_service_app(settings, title="clocked", use_database=False)
    app.state.clock = FixedClock.on(date(2026, 6, 15))
    with pytest.raises(UnsafeInProduction, match="FixedClock"):
        async with app.router.lifespan_context(app):
            pass
    app.state.clock = SystemClock()
    async with app.router.lifespan_context(app):
        pass
    development = create_service_app(
        ServiceSettings(environment="development", service_name="clocked"), title="dev", use_database=False
    )
    development.state.clock = FixedClock.on(date(2026, 6, 15))
    async with development.router.lifespan_context(development):
        pass
