"""The suite's services in one table: what `skills run`, tests and deployment checks agree on."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path


@dataclass(frozen=True)
class ServiceSpec:
    """One service: its package, port, database and environment prefix."""

    name: str
    package: str
    port: int
    database: str
    env_prefix: str

    @property
    def app_factory(self) -> str:
        """The uvicorn factory path."""
        return f"{self.package}.app:create_app"

    @property
    def migrations_dir(self) -> Path:
        """The service's Alembic folder (its ``app`` module declares it)."""
        return Path(import_module(f"{self.package}.app").MIGRATIONS_DIR)


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("gateway", "gateway", 8000, "skills_gateway", "GATEWAY_"),
    ServiceSpec("certificate-registry", "certificate_registry", 8001, "skills_registry", "REGISTRY_"),
    ServiceSpec("org-filing", "org_filing", 8002, "skills_org_filing", "ORGFILING_"),
    ServiceSpec("subsidy-claims", "subsidy_claims", 8003, "skills_subsidy", "SUBSIDY_"),
    ServiceSpec("voucher", "voucher", 8004, "skills_voucher", "VOUCHER_"),
)

SUITE_URL_VARIABLES = {
    "gateway": "SKILLS_GATEWAY_URL",
    "certificate-registry": "SKILLS_REGISTRY_URL",
    "org-filing": "SKILLS_ORG_FILING_URL",
    "subsidy-claims": "SKILLS_SUBSIDY_URL",
    "voucher": "SKILLS_VOUCHER_URL",
}
"""The unprefixed variables through which every service finds the others."""
