"""The services table agrees with each service's settings; `skills token` mints what services accept."""

from __future__ import annotations

import subprocess
import sys
from importlib import import_module

import jwt
import pytest

from skills_shared.settings import DEV_JWT_SECRET, ServiceSettings
from skills_shared.testing import with_database
from skills_tools.services import SERVICES


@pytest.mark.parametrize("spec", SERVICES, ids=[s.name for s in SERVICES])
def test_service_table_matches_settings(spec: object) -> None:
    settings_module = import_module(f"{spec.package}.settings")  # type: ignore[attr-defined]
    classes = [
        c
        for c in vars(settings_module).values()
        if isinstance(c, type) and issubclass(c, ServiceSettings) and c is not ServiceSettings
    ]
    assert len(classes) == 1
    settings = classes[0]()
    assert settings.model_config["env_prefix"] == spec.env_prefix  # type: ignore[attr-defined]
    assert settings.port == spec.port  # type: ignore[attr-defined]
    assert settings.service_name == spec.name  # type: ignore[attr-defined]
    assert settings.database_url.endswith("/" + spec.database)  # type: ignore[attr-defined]
    assert spec.migrations_dir.joinpath("env.py").exists()  # type: ignore[attr-defined]


def test_token_command_mints_a_scoped_token() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "skills_tools.cli", "token", "--role", "district_officer", "--district", "05"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    claims = jwt.decode(out, DEV_JWT_SECRET, algorithms=["HS256"], audience="skills-suite")
    assert claims["role"] == "district_officer"
    assert claims["district"] == "05"


def test_token_command_refuses_unknown_role() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "skills_tools.cli", "token", "--role", "king"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2


def test_with_database_keeps_socket_parameters() -> None:
    assert (
        with_database("postgresql://postgres:@/postgres?host=/tmp/x", "db1")
        == "postgresql://postgres:@/db1?host=/tmp/x"
    )
    assert with_database("postgresql://u@h:5432/postgres", "db2") == "postgresql://u@h:5432/db2"
