"""OF-4 / CR-2 body codes, OF-3 validity, body status moves and the OF-6 extension."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from org_filing.bodies.rules import (
    BODY_MACHINE,
    BodyStatus,
    ExtensionInput,
    SequenceExhausted,
    extended_valid_to,
    extension_verdicts,
    format_body_code,
    max_valid_to,
    next_body_status,
    next_free_sequence,
    parse_body_code,
    validity_verdict,
)
from skills_shared.transitions import IllegalTransition


@pytest.mark.parametrize(
    ("place", "seq", "code"),
    [("00", 1, "S000050000001"), ("05", 42, "S000050050042"), ("41", 9999, "S000050419999")],
)
def test_format_body_code(place, seq, code):
    assert format_body_code(place, seq) == code
    assert len(code) == 13
    p = parse_body_code(code)
    assert (p.category, p.route, p.province, p.place, p.sequence) == ("S", "0000", "50", place, seq)


@pytest.mark.parametrize(("place", "seq"), [("0", 1), ("AB", 1), ("05", 0), ("05", 10_000), ("05", -1)])
def test_format_body_code_refuses(place, seq):
    with pytest.raises(ValueError):
        format_body_code(place, seq)


@pytest.mark.parametrize("code", ["S00005000000", "S0000500000011", "X000050000001", "S000050050000", ""])
def test_parse_refuses(code):
    with pytest.raises(ValueError):
        parse_body_code(code)


@given(st.sampled_from([f"{i:02d}" for i in range(42)]), st.integers(min_value=1, max_value=9999))
def test_code_round_trip(place, seq):
    p = parse_body_code(format_body_code(place, seq))
    assert (p.place, p.sequence) == (place, seq)


@pytest.mark.parametrize(
    ("counter", "taken", "want"),
    [(1, set(), 1), (5, {5, 6}, 7), (0, set(), 1), (9999, set(), 9999), (3, {1, 2}, 3)],
)
def test_next_free_sequence(counter, taken, want):
    assert next_free_sequence(counter, taken) == want


@pytest.mark.parametrize(("counter", "taken"), [(10_000, set()), (9999, {9999})])
def test_sequence_exhaustion_is_an_error_never_a_wrap(counter, taken):
    with pytest.raises(SequenceExhausted):
        next_free_sequence(counter, taken)


@given(
    st.integers(min_value=1, max_value=9999), st.sets(st.integers(min_value=1, max_value=9999), max_size=50)
)
def test_next_free_never_returns_a_taken_or_earlier_sequence(counter, taken):
    try:
        got = next_free_sequence(counter, taken)
    except SequenceExhausted:
        assert all(s in taken for s in range(counter, 10_000))
        return
    assert got >= counter and got not in taken and 1 <= got <= 9999


@pytest.mark.parametrize(
    ("start", "end", "outcome"),
    [
        (date(2025, 1, 1), date(2027, 12, 31), "pass"),
        (date(2025, 1, 1), date(2028, 1, 1), "fail"),
        (date(2024, 2, 29), date(2027, 2, 27), "pass"),
        (date(2024, 2, 29), date(2027, 2, 28), "fail"),
        (date(2025, 1, 1), date(2024, 12, 31), "fail"),
        (date(2025, 1, 1), date(2025, 1, 1), "pass"),
    ],
)
def test_validity_at_most_three_years(start, end, outcome):
    v = validity_verdict(start, end)
    assert (v.rule, v.outcome) == ("OF-3", outcome)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)))
def test_max_validity_property(d):
    end = max_valid_to(d)
    assert validity_verdict(d, end).outcome == "pass"
    assert validity_verdict(d, end + timedelta(days=1)).outcome == "fail"
    assert (end - d).days in (1094, 1095)


LEGAL = {
    ("active", "suspend"),
    ("suspended", "reinstate"),
    ("active", "cancel"),
    ("suspended", "cancel"),
    ("active", "merge"),
    ("suspended", "merge"),
    ("active", "extend"),
    ("active", "change_scope"),
    ("suspended", "change_scope"),
}


@pytest.mark.parametrize("state", list(BodyStatus))
@pytest.mark.parametrize("action", list(BODY_MACHINE.moves))
def test_body_state_machine(state, action):
    if (state.value, action) in LEGAL:
        next_body_status(state, action)
    else:
        with pytest.raises(IllegalTransition) as e:
            next_body_status(state, action)
        assert e.value.current == state.value and e.value.status == 409 and e.value.code == "illegal_state"


def test_scope_change_keeps_suspension():
    assert next_body_status("suspended", "change_scope") == BodyStatus.suspended


def ext(**kw):
    base = dict(
        filed_on=date(2023, 1, 1),
        valid_to=date(2025, 12, 31),
        today=date(2025, 12, 1),
        complaints_since_filing=0,
        violations_since_filing=0,
        already_extended=False,
    )
    base.update(kw)
    return {v.check: v.outcome for v in extension_verdicts(ExtensionInput(**base))}


@pytest.mark.parametrize(
    ("kw", "failing"),
    [
        ({}, set()),
        ({"complaints_since_filing": 1}, {"no_complaints"}),
        ({"violations_since_filing": 2}, {"no_violations"}),
        ({"already_extended": True}, {"not_extended_before"}),
        ({"today": date(2025, 10, 1)}, {"window"}),
        ({"today": date(2026, 1, 1)}, {"window"}),
        ({"today": date(2025, 10, 2)}, set()),
        ({"today": date(2025, 12, 31)}, set()),
    ],
)
def test_extension(kw, failing):
    got = ext(**kw)
    assert {c for c, o in got.items() if o == "fail"} == failing


def test_extended_valid_to_adds_three_years():
    assert extended_valid_to(date(2025, 12, 31)) == date(2028, 12, 31)
