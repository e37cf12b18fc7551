"""Tests for certificate rules: eligibility (CR-4), serial allocation (CR-1), look-up matching (CR-6), revocation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certificate_registry.batches.rules import Method
from certificate_registry.certificates.rules import (
    CERTIFICATES,
    MAX_SERIAL,
    CandidateState,
    CertificateStatus,
    HoldStatus,
    ObtainedBy,
    SerialExhausted,
    allocate_serials,
    is_eligible,
    lookup_matches,
    obtained_by,
    serials_are_gapless,
)
from skills_shared.transitions import IllegalTransition


@pytest.mark.parametrize(
    ("passed", "holds", "issued", "eligible"),
    [
        (True, (), False, True),
        (False, (), False, False),
        (True, (), True, False),
        (True, (HoldStatus.PENDING,), False, False),
        (True, (HoldStatus.UPHELD,), False, False),
        (True, (HoldStatus.DISMISSED,), False, True),
        (True, (HoldStatus.DISMISSED, HoldStatus.PENDING), False, False),
        (True, (HoldStatus.DISMISSED, HoldStatus.DISMISSED), False, True),
    ],
)
def test_eligibility(passed: bool, holds: tuple[HoldStatus, ...], issued: bool, eligible: bool) -> None:
    assert is_eligible(CandidateState(passed, holds, issued)) is eligible


def test_allocation_edges() -> None:
    assert list(allocate_serials(0, 3)) == [1, 2, 3]
    assert list(allocate_serials(MAX_SERIAL - 1, 1)) == [MAX_SERIAL]
    assert list(allocate_serials(MAX_SERIAL, 0)) == []
    with pytest.raises(SerialExhausted) as caught:
        allocate_serials(MAX_SERIAL - 1, 2)
    assert "999998" in str(caught.value)
    with pytest.raises(ValueError):
        allocate_serials(0, -1)


@given(st.lists(st.integers(0, 2000), max_size=30))
def test_successive_allocations_are_gapless(counts: list[int]) -> None:
    last = 0
    seen: list[int] = []
    for count in counts:
        block = allocate_serials(last, count)
        seen.extend(block)
        last = block.stop - 1 if count else last
    assert serials_are_gapless(seen)


@given(st.integers(0, MAX_SERIAL), st.integers(0, 2 * MAX_SERIAL))
def test_allocation_never_wraps(last: int, count: int) -> None:
    try:
        block = allocate_serials(last, count)
    except SerialExhausted:
        assert last + count > MAX_SERIAL
    else:
        assert len(block) == count and (count == 0 or (block[0] >= 1 and block[-1] <= MAX_SERIAL))


def test_gapless_check() -> None:
    assert serials_are_gapless([3, 1, 2])
    assert not serials_are_gapless([1, 1, 2])
    assert not serials_are_gapless([1, 3])
    assert serials_are_gapless([])


@pytest.mark.parametrize(
    ("name", "id_number", "ok"),
    [
        ("张三", None, True),
        (" 张三 ", None, True),
        ("张四", None, False),
        (None, "50010619900307001X", True),
        (None, "50010619900307001x", True),
        (None, "500106199003070011", False),
        (None, None, False),
    ],
)
def test_lookup_matching(name: str | None, id_number: str | None, ok: bool) -> None:
    assert (
        lookup_matches(stored_name="张三", stored_id="50010619900307001X", name=name, id_number=id_number)
        is ok
    )


def test_revocation_only_once() -> None:
    assert CERTIFICATES.next(CertificateStatus.VALID, "revoke") is CertificateStatus.REVOKED
    with pytest.raises(IllegalTransition) as refused:
        CERTIFICATES.next(CertificateStatus.REVOKED, "revoke")
    assert (refused.value.rule, refused.value.extra["current_state"]) == ("CR-7", "revoked")


@pytest.mark.parametrize(
    ("method", "how"),
    [
        (Method.EXAMINATION, ObtainedBy.EVALUATION),
        (Method.ASSESSMENT, ObtainedBy.EVALUATION),
        (Method.PANEL_REVIEW, ObtainedBy.EVALUATION),
        (Method.DIRECT_RECOGNITION, ObtainedBy.DIRECT_RECOGNITION),
        (Method.COMPETITION, ObtainedBy.COMPETITION),
    ],
)
def test_obtained_by(method: Method, how: ObtainedBy) -> None:
    assert obtained_by(method) is how
