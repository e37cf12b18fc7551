"""docs/config-reference.md is generated from the settings classes and must be current."""

from __future__ import annotations

from pathlib import Path

from skills_tools.configref import environment_names, main, render, settings_class, variables
from skills_tools.services import SERVICES


def test_the_committed_reference_is_current(repo_root: Path) -> None:
    committed = (repo_root / "docs" / "config-reference.md").read_text(encoding="utf-8")
    assert committed == render(), (
        "docs/config-reference.md is stale: run `python -m skills_tools.configref --write` and commit it"
    )


def test_every_field_of_every_service_is_documented() -> None:
    text = render()
    for spec in SERVICES:
        cls = settings_class(spec)
        assert cls.model_config.get("env_prefix") == spec.env_prefix
        for field in cls.model_fields:
            assert f"`{environment_names(cls, field)[0]}`" in text, f"{spec.name}.{field}"


def test_names_follow_the_prefix_and_the_suite_aliases() -> None:
    registry = settings_class(SERVICES[1])
    assert environment_names(registry, "database_url") == ("REGISTRY_DATABASE_URL",)
    assert environment_names(registry, "jwt_secret")[0] == "SKILLS_JWT_SECRET"
    assert "REGISTRY_JWT_SECRET" in environment_names(registry, "jwt_secret")


def test_secrets_show_no_value() -> None:
    for spec in SERVICES:
        for v in variables(settings_class(spec)):
            if "secret" in v.field or "seed" in v.field:
                assert "dev-only" not in v.default, v.field


def test_write_puts_the_reference_in_a_file(tmp_path: Path) -> None:
    target = tmp_path / "ref.md"
    assert main(["--write", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == render()
