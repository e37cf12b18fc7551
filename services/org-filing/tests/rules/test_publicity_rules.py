"""OF-3 selection publicity: after the selection, and not already over when recorded (issue 16 item 2)."""

from __future__ import annotations

from datetime import date

import pytest

from org_filing.applications.rules import selection_publicity

SELECTED = date(2026, 8, 3)
TODAY = date(2026, 8, 5)


@pytest.mark.parametrize(
    ("start", "end", "codes"),
    [
        (date(2026, 8, 3), date(2026, 8, 7), []),
        (date(2026, 8, 5), date(2026, 8, 5), []),  # ends today: still visible today
        (date(2026, 8, 10), date(2026, 8, 14), []),  # announced ahead
        (date(2026, 8, 1), date(2026, 8, 7), ["publicity_before_selection"]),
        (date(2026, 8, 3), date(2026, 8, 4), ["publicity_already_over"]),
        (date(2026, 1, 5), date(2026, 1, 9), ["publicity_before_selection", "publicity_already_over"]),
    ],
)
def test_selection_publicity(start: date, end: date, codes: list[str]) -> None:
    found = selection_publicity(start, end, selected_on=SELECTED, today=TODAY)
    assert [r.code for r in found] == codes
    assert all(r.rule == "OF-3" and r.status == 422 for r in found)


def test_refusals_say_when_it_would_be_accepted() -> None:
    early, over = selection_publicity(date(2026, 1, 5), date(2026, 1, 9), selected_on=SELECTED, today=TODAY)
    assert early.extra == {"earliest_publicity_from": "2026-08-03"} and "2026-08-03" in early.detail
    assert over.extra == {"earliest_publicity_to": "2026-08-05"} and "2026-08-05" in over.detail
    assert early.errors[0].loc == ["body", "publicity_from"] and over.errors[0].loc == [
        "body",
        "publicity_to",
    ]
