"""Table and property tests for the issuer rules (CR-1 body code, CR-2 retirement, CR-3 scope)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certificate_registry.issuers.rules import (
    IssuerFacts,
    IssuerStatus,
    Jurisdiction,
    ScopeEntry,
    check_may_evaluate,
    check_status_move,
    default_jurisdiction,
    parse_body_code,
    scope_levels_outside_jurisdiction,
)
from skills_shared.certnumber import CertificateNumberError


def test_parse_body_code_names_each_part() -> None:
    body = parse_body_code("S000050070001")
    assert (body.category, body.route, body.province, body.place, body.sequence) == (
        "S",
        "0000",
        "50",
        "07",
        1,
    )
    assert str(body) == "S000050070001"
    assert default_jurisdiction(body) is Jurisdiction.DISTRICT
    assert default_jurisdiction(parse_body_code("Y123450000042")) is Jurisdiction.CITY


@pytest.mark.parametrize(
    ("raw", "position"),
    [
        ("", 1),
        ("S00005007000", 13),
        ("S0000500700011", 14),
        ("X000050070001", 1),
        ("S0A0050070001", 3),
        ("S000050420001", 8),
        ("S000050070000", 10),
    ],
)
def test_parse_body_code_rejects_with_position(raw: str, position: int) -> None:
    with pytest.raises(CertificateNumberError) as caught:
        parse_body_code(raw)
    assert caught.value.position == position


@given(place=st.integers(0, 41), sequence=st.integers(1, 9999))
def test_parse_round_trips_every_valid_chongqing_code(place: int, sequence: int) -> None:
    raw = f"S000050{place:02d}{sequence:04d}"
    assert str(parse_body_code(raw)) == raw


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        (None, IssuerStatus.ACTIVE, True),
        (None, IssuerStatus.CANCELLED, True),
        (IssuerStatus.ACTIVE, IssuerStatus.SUSPENDED, True),
        (IssuerStatus.SUSPENDED, IssuerStatus.ACTIVE, True),
        (IssuerStatus.ACTIVE, IssuerStatus.CANCELLED, True),
        (IssuerStatus.ACTIVE, IssuerStatus.MERGED, True),
        (IssuerStatus.CANCELLED, IssuerStatus.CANCELLED, True),
        (IssuerStatus.MERGED, IssuerStatus.MERGED, True),
        (IssuerStatus.CANCELLED, IssuerStatus.ACTIVE, False),
        (IssuerStatus.CANCELLED, IssuerStatus.SUSPENDED, False),
        (IssuerStatus.CANCELLED, IssuerStatus.MERGED, False),
        (IssuerStatus.MERGED, IssuerStatus.ACTIVE, False),
        (IssuerStatus.MERGED, IssuerStatus.SUSPENDED, False),
        (IssuerStatus.MERGED, IssuerStatus.CANCELLED, False),
    ],
)
def test_retired_codes_never_come_back(
    current: IssuerStatus | None, new: IssuerStatus, allowed: bool
) -> None:
    move = check_status_move(current, new)
    assert move.allowed is allowed
    assert (move.rule == "CR-2") is (not allowed)


def test_district_bodies_hold_only_levels_three_to_five() -> None:
    assert scope_levels_outside_jurisdiction(Jurisdiction.DISTRICT, [1, 3, 2, 5]) == [1, 2]
    assert scope_levels_outside_jurisdiction(Jurisdiction.CITY, [1, 2, 3, 4, 5]) == []


def _issuer(**overrides: object) -> IssuerFacts:
    values: dict[str, object] = {
        "code": "S000050000001",
        "status": IssuerStatus.ACTIVE,
        "jurisdiction": Jurisdiction.CITY,
        "valid_from": date(2025, 1, 1),
        "valid_to": date(2027, 12, 31),
        "scope": (ScopeEntry("4-01-01-01", "电工", ("维修电工",), frozenset({1, 2, 3})),),
    }
    values.update(overrides)
    return IssuerFacts(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "kwargs", "codes"),
    [
        ({}, {}, []),
        ({}, {"work_type": None}, []),
        ({"status": IssuerStatus.SUSPENDED}, {}, ["issuer_not_active"]),
        ({"status": IssuerStatus.CANCELLED}, {}, ["issuer_not_active"]),
        ({}, {"on": date(2024, 12, 31)}, ["issuer_out_of_validity"]),
        ({}, {"on": date(2028, 1, 1)}, ["issuer_out_of_validity"]),
        ({}, {"occupation_code": "4-01-01-02"}, ["occupation_out_of_scope"]),
        ({}, {"work_type": "高压电工"}, ["work_type_out_of_scope"]),
        ({}, {"level": 4}, ["level_out_of_scope"]),
        ({"jurisdiction": Jurisdiction.DISTRICT}, {"level": 2}, ["level_out_of_jurisdiction"]),
        (
            {"status": IssuerStatus.MERGED},
            {"level": 5, "on": date(2030, 1, 1)},
            ["issuer_not_active", "issuer_out_of_validity", "level_out_of_scope"],
        ),
    ],
)
def test_may_evaluate_table(
    overrides: dict[str, object], kwargs: dict[str, object], codes: list[str]
) -> None:
    call: dict[str, object] = {
        "occupation_code": "4-01-01-01",
        "work_type": "维修电工",
        "level": 2,
        "on": date(2026, 6, 1),
    }
    call.update(kwargs)
    refusals = check_may_evaluate(_issuer(**overrides), **call)  # type: ignore[arg-type]
    assert [r.code for r in refusals] == codes
    assert all(r.rule in ("CR-2", "CR-3") for r in refusals)
