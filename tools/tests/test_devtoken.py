"""`make token` mints only tokens the services accept, and otherwise says in one line what to set."""

from __future__ import annotations

import subprocess
import sys

import pytest

from skills_shared.auth import Role, TokenVerifier
from skills_shared.devtokens import TokenRequestError, check_request
from skills_shared.settings import ServiceSettings

CITIZEN_ID = "11010519491231002X"


@pytest.mark.parametrize(
    ("role", "variable"),
    [
        ("org_staff", "BODY="),
        ("org_admin", "BODY="),
        ("institution_staff", "INSTITUTION="),
        ("institution_admin", "INSTITUTION="),
        ("district_officer", "DISTRICT="),
    ],
)
def test_a_scoped_role_without_its_scope_is_refused_naming_the_variable(role: str, variable: str) -> None:
    with pytest.raises(TokenRequestError, match=variable):
        check_request(role)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"role": "citizen"}, "SUB= a valid 18-digit"),
        ({"role": "citizen", "sub": "110105194912310021"}, "SUB= a valid 18-digit"),
        (
            {"role": "institution_admin", "institution": "5001001", "perms": "redeem"},
            "PERMS=redeem is checked by no",
        ),
        ({"role": "city_officer", "perms": "unit_head"}, "only read for ROLE=district_officer"),
        ({"role": "city_officer", "district": "05"}, "takes no DISTRICT="),
        ({"role": "root"}, "is not a role"),
    ],
)
def test_what_would_do_nothing_is_refused(kwargs: dict[str, str], fragment: str) -> None:
    with pytest.raises(TokenRequestError, match=fragment):
        check_request(**kwargs)


def test_every_token_it_mints_passes_the_services_verifier() -> None:
    settings = ServiceSettings()
    verifier = TokenVerifier(settings.jwt_secret, settings.jwt_audience, settings.jwt_issuer)
    cases = [
        ["--role", "citizen", "--sub", CITIZEN_ID],
        ["--role", "org_staff", "--body", "Y0101"],
        ["--role", "institution_admin", "--institution", "5001001"],
        ["--role", "district_officer", "--district", "05", "--perms", "unit_head"],
        ["--role", "inspector"],
    ]
    for args in cases:
        done = subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
            [sys.executable, "-m", "skills_tools.cli", "token", *args],
            capture_output=True,
            text=True,
            check=True,
        )
        principal = verifier.principal(done.stdout.strip())
        assert principal.role is Role(args[1])


def test_the_refusal_is_one_line_on_stderr_with_exit_code_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "skills_tools.cli", "token", "--role", "org_staff"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().count("\n") == 0
    assert "BODY=" in done.stderr
