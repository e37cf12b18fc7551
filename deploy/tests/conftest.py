"""Fixtures of the deployment checks: the repository root and which environment names each service reads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from skills_tools.configref import environment_names, settings_class
from skills_tools.services import SERVICES, ServiceSpec

REPO_ROOT = Path(__file__).resolve().parents[2]

IMAGE_VARIABLES = {
    "SERVICE_APP",
    "SERVICE_PORT",
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONUNBUFFERED",
    "MPLCONFIGDIR",
}
"""Variables the image itself reads (deploy/Dockerfile), not the settings classes."""

TRACING_VARIABLES = {
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_SERVICE_NAME",
    "OTEL_RESOURCE_ATTRIBUTES",
    "OTEL_TRACES_SAMPLER",
    "OTEL_TRACES_SAMPLER_ARG",
}
"""The OpenTelemetry SDK's own variables (skills_shared.tracing)."""


def read_names(spec: ServiceSpec) -> set[str]:
    """Every environment name the service's settings class reads."""
    cls = settings_class(spec)
    return {name for field in cls.model_fields for name in environment_names(cls, field)}


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (the build context of the images)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def names_read_by() -> Callable[[str], set[str]]:
    """Service name → the environment names its process understands (settings, tracing, image)."""
    by_name = {s.name: read_names(s) | TRACING_VARIABLES | IMAGE_VARIABLES for s in SERVICES}
    return by_name.__getitem__


@pytest.fixture(scope="session")
def spec_of() -> Callable[[str], ServiceSpec]:
    """Service name → its ServiceSpec."""
    return {s.name: s for s in SERVICES}.__getitem__
