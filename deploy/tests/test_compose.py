"""docker-compose.yml agrees with the code: services, ports, health checks, order of start, and every variable."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from skills_shared.settings import DEV_JWT_SECRET
from skills_tools.configref import settings_class
from skills_tools.services import SERVICES, SUITE_URL_VARIABLES, ServiceSpec

_INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?::?-(?P<default>[^}]*))?\}")


def interpolate(value: str, env: dict[str, str] | None = None) -> str:
    """Compose's ``${VAR:-default}`` substitution, with an empty environment unless given one."""
    env = env or {}
    return _INTERPOLATION.sub(lambda m: env.get(m["name"]) or (m["default"] or ""), value)


@pytest.fixture(scope="module")
def compose(repo_root: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((repo_root / "docker-compose.yml").read_text(encoding="utf-8"))
    return data


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    assert isinstance(env, dict), "write environment as a mapping, so anchors can merge it"
    return {k: interpolate(str(v)) for k, v in env.items()}


def test_the_services_are_the_suite_plus_database_redis_and_migration(compose: dict[str, Any]) -> None:
    ours = {"postgres", "redis", "migrate", *(s.name for s in SERVICES)}
    assert ours <= set(compose["services"])
    for name in set(compose["services"]) - ours:  # infrastructure others add (object storage, say)
        assert "build" not in compose["services"][name], (
            f"{name}: only the suite is built from deploy/Dockerfile"
        )


def test_postgres_keeps_its_data_in_a_volume(compose: dict[str, Any]) -> None:
    pg = compose["services"]["postgres"]
    assert re.fullmatch(r"postgres:16(\.\d+)?(-[a-z0-9]+)?", interpolate(pg["image"])), pg["image"]
    stand_in = interpolate(pg["image"], {"SKILLS_POSTGRES_IMAGE": "localhost/skills-postgres:15-bookworm"})
    assert stand_in == "localhost/skills-postgres:15-bookworm", (
        "make images can name the Debian-package image"
    )
    volume, _, path = pg["volumes"][0].partition(":")
    assert path == "/var/lib/postgresql/data"
    assert volume in compose["volumes"]
    assert "pg_isready" in " ".join(pg["healthcheck"]["test"])
    assert "ports" not in pg, "the database is not published"


def test_redis_holds_the_gateway_rate_limits_unpublished(compose: dict[str, Any]) -> None:
    redis = compose["services"]["redis"]
    assert re.fullmatch(r"redis:7(\.\d+)*(-[a-z0-9]+)?", interpolate(redis["image"])), redis["image"]
    assert "ports" not in redis
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    gateway = compose["services"]["gateway"]
    assert _environment(gateway)["GATEWAY_REDIS_URL"] == "redis://redis:6379/0"
    assert gateway["depends_on"]["redis"] == {"condition": "service_healthy"}
    others = [s.name for s in SERVICES if s.name != "gateway"]
    assert all("redis" not in compose["services"][name]["depends_on"] for name in others)


def test_migrate_is_a_one_shot_skills_migrate_after_postgres(compose: dict[str, Any]) -> None:
    from skills_tools.cli import main

    migrate = compose["services"]["migrate"]
    assert migrate["build"]["target"] == "migrate"
    assert migrate["command"] == ["skills", "migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    url = _environment(migrate)["DATABASE_URL"]
    assert url.startswith("postgresql://") and url.endswith("@postgres:5432/postgres")
    with pytest.raises(SystemExit) as exited:  # `skills migrate` exists as a sub-command
        main(["migrate", "--help"])
    assert exited.value.code == 0


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
def test_each_service_is_built_as_itself_and_listens_on_its_port(
    compose: dict[str, Any], spec: ServiceSpec
) -> None:
    service = compose["services"][spec.name]
    assert service["build"]["dockerfile"] == "deploy/Dockerfile"
    assert service["build"]["args"] == {"SERVICE": spec.name, "PACKAGE": spec.package, "PORT": str(spec.port)}
    assert "target" not in service["build"], "the default target is the service image"
    assert service["expose"] == [str(spec.port)]
    assert settings_class(spec).model_fields["port"].default == spec.port, "services.py and settings agree"


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
def test_health_checks_ask_readyz_on_the_service_port(compose: dict[str, Any], spec: ServiceSpec) -> None:
    test = compose["services"][spec.name]["healthcheck"]["test"]
    assert test[0] == "CMD" and test[1] == "python", "the slim image has Python, not curl"
    assert f"http://127.0.0.1:{spec.port}/readyz" in test[-1]


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
def test_services_wait_for_a_healthy_database_and_finished_migrations(
    compose: dict[str, Any], spec: ServiceSpec
) -> None:
    depends = compose["services"][spec.name]["depends_on"]
    assert depends["postgres"] == {"condition": "service_healthy"}
    assert depends["migrate"] == {"condition": "service_completed_successfully"}


def test_the_gateway_starts_after_every_service_is_healthy(compose: dict[str, Any]) -> None:
    depends = compose["services"]["gateway"]["depends_on"]
    for spec in SERVICES:
        if spec.name != "gateway":
            assert depends[spec.name] == {"condition": "service_healthy"}


def test_only_the_gateway_is_published(compose: dict[str, Any]) -> None:
    published = {name for name, svc in compose["services"].items() if svc.get("ports")}
    assert published == {"gateway"}
    (mapping,) = compose["services"]["gateway"]["ports"]
    assert interpolate(mapping).rsplit(":", 1)[1] == "8000"


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
def test_every_variable_is_one_the_service_reads(
    compose: dict[str, Any], spec: ServiceSpec, names_read_by: Callable[[str], set[str]]
) -> None:
    unknown = set(_environment(compose["services"][spec.name])) - names_read_by(spec.name)
    assert not unknown, f"{spec.name} reads none of {sorted(unknown)}"


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
def test_the_settings_load_from_the_compose_environment(
    compose: dict[str, Any], spec: ServiceSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading the real settings class validates every value's type and range, and where it points."""
    env = _environment(compose["services"][spec.name])
    for name in list(__import__("os").environ):
        if name.startswith(("SKILLS_", spec.env_prefix)):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = settings_class(spec)()
    assert settings.database_url.startswith("postgresql+asyncpg://")
    assert settings.database_url.endswith(f"@postgres:5432/{spec.database}")
    assert settings.jwt_secret == DEV_JWT_SECRET, "compose's development secret is the code's"
    assert settings.environment == "development"
    for other in SERVICES:
        url = getattr(settings, SUITE_URL_VARIABLES[other.name].removeprefix("SKILLS_").lower())
        if other.name == "gateway":
            assert url == "http://127.0.0.1:8000", "the gateway URL is the public one (links in QR codes)"
        else:
            assert url == f"http://{other.name}:{other.port}"


def test_development_secrets_in_compose_equal_the_code_defaults(compose: dict[str, Any]) -> None:
    from voucher.settings import DEV_QR_SECRET

    assert _environment(compose["services"]["voucher"])["VOUCHER_QR_SECRET"] == DEV_QR_SECRET


def test_interpolation_prefers_the_environment() -> None:
    assert interpolate("${A:-x}-${B:-y}", {"A": "1"}) == "1-y"
    assert interpolate("${A:-}") == ""
