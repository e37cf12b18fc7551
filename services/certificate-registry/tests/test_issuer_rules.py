"""Table and property tests for the issuer rules (CR-1 body code, CR-2 retirement).

CR-3 scope is org-filing's check (asked when a batch opens); the registry has no copy of it.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certificate_registry.issuers.rules import (
    ISSUERS,
    IssuerStatus,
    Jurisdiction,
    check_retired_unchanged,
    default_jurisdiction,
    parse_body_code,
)
from skills_shared.certnumber import CertificateNumberError
from skills_shared.refusals import Refusal
from skills_shared.transitions import IllegalTransition


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
    if current is None or allowed:
        if current is not None:
            assert ISSUERS.next(current, new.value) is new
        return
    with pytest.raises(IllegalTransition) as refused:
        ISSUERS.next(current, new.value)
    assert refused.value.rule == "CR-2" and refused.value.status == 409


@pytest.mark.parametrize("status", list(IssuerStatus))
def test_a_retired_record_is_never_edited(status: IssuerStatus) -> None:
    check_retired_unchanged(status, changed=False)
    if status in (IssuerStatus.ACTIVE, IssuerStatus.SUSPENDED):
        check_retired_unchanged(status, changed=True)
        return
    with pytest.raises(Refusal) as refused:
        check_retired_unchanged(status, changed=True)
    assert (refused.value.rule, refused.value.code) == ("CR-2", "issuer_retired")


def test_place_00_is_city_wide() -> None:
    assert default_jurisdiction(parse_body_code("S000050000001")) is Jurisdiction.CITY
    assert default_jurisdiction(parse_body_code("S000050070001")) is Jurisdiction.DISTRICT
