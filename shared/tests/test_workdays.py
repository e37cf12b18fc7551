"""Working days: P-1 periods, P-2 filing deadlines, P-3 uncovered years and the operator calendar file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skills_shared.workdays import (
    CALENDAR_FILE_ENV,
    CalendarFileError,
    CalendarNotCovered,
    add_working_days,
    covered_by_file,
    covered_years,
    earliest_event_date,
    filed_in_time,
    is_working_day,
    latest_filing_date,
    load_calendar_file,
    next_working_day_after,
    parse_calendar_file,
    period_end,
    period_over,
    reset_loaded_calendars,
    today_shanghai,
    within_period,
    working_days_between,
)

CALENDAR_2027 = {
    "2027": {
        "holidays": ["2027-01-01", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"],
        "workdays": ["2027-02-06", "2027-02-20"],
    }
}


@pytest.fixture(autouse=True)
def _isolated_calendar(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(CALENDAR_FILE_ENV, raising=False)
    reset_loaded_calendars()
    yield
    reset_loaded_calendars()


def _write(tmp_path: Path, content: object, name: str = "calendar.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


# --- the DOMAIN.md examples ------------------------------------------------------------------------------


def test_national_day_2025_and_make_up_saturday() -> None:
    assert is_working_day(date(2025, 9, 30))
    assert not any(is_working_day(date(2025, 10, d)) for d in range(1, 9))
    assert is_working_day(date(2025, 10, 11))  # Saturday, 调休 make-up day
    assert is_working_day(date(2025, 9, 28))  # Sunday, make-up day
    assert not is_working_day(date(2025, 10, 12))  # ordinary Sunday


def test_p1_publicity_from_2025_09_30_for_5_working_days_ends_2025_10_14() -> None:
    assert period_end(date(2025, 9, 30), 5) == date(2025, 10, 14)
    assert next_working_day_after(period_end(date(2025, 9, 30), 5)) == date(2025, 10, 15)


def test_p1_cq_claim_received_2025_09_30_decided_by_2025_10_21() -> None:
    assert add_working_days(date(2025, 9, 30), 10) == date(2025, 10, 21)


def test_p2_plan_for_2026_10_20_filed_by_2026_09_30() -> None:
    event = date(2026, 10, 20)
    assert latest_filing_date(event, 10) == date(2026, 9, 30)
    assert filed_in_time(date(2026, 9, 30), event, 10)
    assert filed_in_time(date(2026, 9, 1), event, 10)
    assert not filed_in_time(date(2026, 10, 8), event, 10)  # first working day after the holiday: too late
    assert not filed_in_time(date(2026, 10, 20), event, 10)


def test_p2_a_filing_on_the_holiday_after_the_deadline_leaves_the_same_working_days() -> None:
    # Oct 1–7 2026 are days off, so a filing made then leaves exactly the 10 working days Oct 8–20 that a
    # filing on Sep 30 leaves; by the P-2 formula it is in time. latest_filing_date still shows Sep 30,
    # the last working day, as the deadline.
    event = date(2026, 10, 20)
    assert add_working_days(date(2026, 10, 1), 10) == event
    for day in range(1, 8):
        assert filed_in_time(date(2026, 10, day), event, 10)
    assert working_days_between(date(2026, 9, 30), event) == 10


def test_working_days_between_is_half_open() -> None:
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 14)) == 5
    assert working_days_between(date(2025, 10, 14), date(2025, 10, 14)) == 0
    assert working_days_between(date(2025, 10, 14), date(2025, 9, 30)) == 0
    assert working_days_between(date(2025, 10, 13), date(2025, 10, 14)) == 1  # b counted, a not


def test_zero_days_is_identity_and_negative_is_refused() -> None:
    assert add_working_days(date(2025, 10, 4), 0) == date(2025, 10, 4)
    with pytest.raises(ValueError):
        add_working_days(date(2025, 10, 4), -1)


def test_latest_filing_date_on_a_non_working_event_day() -> None:
    # Event on Sunday 2025-10-19: counting back, the working days are Oct 17, 16, 15, 14, 13 and then the
    # make-up Saturday Oct 11, the sixth, which is the last day leaving five working days.
    event = date(2025, 10, 19)
    latest = latest_filing_date(event, 5)
    assert latest == date(2025, 10, 11)  # the make-up Saturday is a working day and a valid filing date
    assert filed_in_time(latest, event, 5)
    assert not filed_in_time(next_working_day_after(latest), event, 5)


def test_datetime_is_refused() -> None:
    with pytest.raises(TypeError):
        is_working_day(datetime(2025, 10, 1, 12, 0))


def test_today_shanghai_is_a_date() -> None:
    today = today_shanghai()
    assert type(today) is date
    assert abs((today - date.today()).days) <= 1


# --- P-3: uncovered years --------------------------------------------------------------------------------


def test_p3_2027_is_not_covered_by_the_library() -> None:
    with pytest.raises(CalendarNotCovered) as info:
        is_working_day(date(2027, 3, 1))
    assert info.value.year == 2027
    assert "2027" in str(info.value)
    assert "工作日历" in str(info.value)
    assert "does not cover" in str(info.value)
    assert info.value.rule == "P-3"


def test_p3_a_period_that_walks_into_2027_fails_rather_than_guesses() -> None:
    with pytest.raises(CalendarNotCovered):
        add_working_days(date(2026, 12, 28), 10)


def test_p3_years_before_2004_are_not_covered() -> None:
    with pytest.raises(CalendarNotCovered):
        is_working_day(date(2003, 6, 2))


# --- the operator file -----------------------------------------------------------------------------------


def test_environment_file_covers_2027(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CALENDAR_FILE_ENV, str(_write(tmp_path, CALENDAR_2027)))
    assert covered_by_file() == frozenset({2027})
    assert not is_working_day(date(2027, 1, 1))  # listed holiday (Friday)
    assert is_working_day(date(2027, 2, 6))  # listed make-up Saturday
    assert not is_working_day(date(2027, 2, 7))  # ordinary Sunday
    assert is_working_day(date(2027, 3, 1))  # ordinary Monday
    # Across the year boundary, from library data into file data.
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert add_working_days(date(2027, 2, 5), 2) == date(2027, 2, 15)
    with pytest.raises(CalendarNotCovered):
        is_working_day(date(2028, 1, 3))


def test_environment_file_changes_are_picked_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, CALENDAR_2027)
    monkeypatch.setenv(CALENDAR_FILE_ENV, str(path))
    assert is_working_day(date(2027, 3, 1))
    path.write_text(json.dumps({"2027": {"holidays": ["2027-03-01"], "workdays": []}, "2028": {}}))
    assert not is_working_day(date(2027, 3, 1))
    assert is_working_day(date(2028, 1, 3))


def test_explicit_load(tmp_path: Path) -> None:
    assert load_calendar_file(_write(tmp_path, CALENDAR_2027)) == frozenset({2027})
    assert is_working_day(date(2027, 2, 20))
    reset_loaded_calendars()
    with pytest.raises(CalendarNotCovered):
        is_working_day(date(2027, 2, 20))


def test_operator_year_overrides_the_library(tmp_path: Path) -> None:
    # An operator correction for a covered year wins: here a hypothetical extra day off.
    load_calendar_file(_write(tmp_path, {"2026": {"holidays": ["2026-11-02"], "workdays": ["2026-09-20"]}}))
    assert not is_working_day(date(2026, 11, 2))
    # The file's year is complete in itself: library 调休 days not listed are ordinary weekends.
    assert not is_working_day(date(2026, 10, 10))
    assert is_working_day(date(2026, 9, 20))


@pytest.mark.parametrize(
    "content",
    [
        ["2027-01-01"],
        {"27": {"holidays": []}},
        {"2027": {"holidays": ["2028-01-01"]}},
        {"2027": {"holidays": ["2027-13-01"]}},
        {"2027": {"holidays": ["2027/01/01"]}},
        {"2027": {"holidays": "2027-01-01"}},
        {"2027": {"holidays": ["2027-02-06"], "workdays": ["2027-02-06"]}},
        {"2027": {"holiday": ["2027-01-01"]}},
    ],
)
def test_bad_files_are_refused(tmp_path: Path, content: object) -> None:
    with pytest.raises(CalendarFileError):
        parse_calendar_file(_write(tmp_path, content))


def test_unreadable_files_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CalendarFileError):
        load_calendar_file(broken)
    monkeypatch.setenv(CALENDAR_FILE_ENV, str(tmp_path / "missing.json"))
    with pytest.raises(CalendarFileError):
        is_working_day(date(2025, 1, 2))


# --- properties ------------------------------------------------------------------------------------------

covered_dates = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 6, 30))
day_counts = st.integers(min_value=1, max_value=60)


@settings(deadline=None)
@given(covered_dates, day_counts)
def test_result_is_a_working_day_strictly_after_start(start: date, n: int) -> None:
    end = add_working_days(start, n)
    assert end > start
    assert is_working_day(end)
    assert working_days_between(start, end) == n
    assert working_days_between(start, end - timedelta(days=1)) == n - 1


@settings(deadline=None)
@given(covered_dates, day_counts, day_counts)
def test_monotonic_in_n(start: date, n: int, m: int) -> None:
    lo, hi = sorted((n, m))
    assert add_working_days(start, lo) <= add_working_days(start, hi)
    if lo < hi:
        assert add_working_days(start, lo) < add_working_days(start, hi)


@settings(deadline=None)
@given(covered_dates, covered_dates)
def test_monotonic_in_start(a: date, b: date) -> None:
    lo, hi = sorted((a, b))
    assert add_working_days(lo, 5) <= add_working_days(hi, 5)


@settings(deadline=None)
@given(st.dates(min_value=date(2004, 3, 1), max_value=date(2026, 9, 30)), st.integers(0, 30))
def test_latest_filing_date_is_the_boundary(event: date, n: int) -> None:
    latest = latest_filing_date(event, n)
    assert is_working_day(latest)
    assert filed_in_time(latest, event, n)
    assert not filed_in_time(next_working_day_after(latest), event, n)


@settings(deadline=None)
@given(st.dates(min_value=date(2027, 1, 1), max_value=date(2027, 12, 31)), st.integers(0, 10))
def test_2027_raises_unless_the_file_covers_it(d: date, n: int) -> None:
    reset_loaded_calendars()
    with pytest.raises(CalendarNotCovered):
        add_working_days(d, n) if n else is_working_day(d)


@pytest.fixture(scope="module")
def calendar_2027_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(tmp_path_factory.mktemp("calendar"), CALENDAR_2027)


@settings(deadline=None)
@given(d=st.dates(min_value=date(2027, 1, 1), max_value=date(2027, 12, 20)), n=st.integers(1, 5))
def test_2027_works_once_the_file_covers_it(calendar_2027_file: Path, d: date, n: int) -> None:
    load_calendar_file(calendar_2027_file)
    try:
        end = add_working_days(d, n)
        assert is_working_day(end)
        assert working_days_between(d, end) == n
    finally:
        reset_loaded_calendars()


# --- answers read only the days they depend on (issue 16 item 1) ---------------------------------------


@pytest.mark.parametrize(
    ("filed_on", "event", "expected"),
    [
        (date(2026, 12, 7), date(2027, 1, 15), True),  # ten working days after 7 Dec end on 21 Dec 2026
        (date(2026, 12, 7), date(2026, 12, 21), True),  # exactly the 10th working day
        (date(2026, 12, 7), date(2026, 12, 18), False),
        (date(2026, 12, 16), date(2026, 12, 29), False),  # the 10th working day is 30 Dec
        (date(2026, 12, 28), date(2026, 12, 31), False),  # answered without walking into 2027
    ],
)
def test_p2_on_time_reads_only_the_days_it_needs(filed_on: date, event: date, expected: bool) -> None:
    assert filed_in_time(filed_on, event, 10) is expected


def test_p3_on_time_still_raises_when_a_needed_day_is_uncovered() -> None:
    # 10 working days after 28 Dec 2026 reach into January 2027, and the evaluation is after them.
    with pytest.raises(CalendarNotCovered) as exc:
        filed_in_time(date(2026, 12, 28), date(2027, 2, 1), 10)
    assert exc.value.year == 2027


def test_the_december_case_is_answered_the_same_once_2027_is_covered(tmp_path: Path) -> None:
    load_calendar_file(_write(tmp_path, CALENDAR_2027))
    assert filed_in_time(date(2026, 12, 7), date(2027, 1, 15), 10)
    assert filed_in_time(date(2026, 12, 28), date(2027, 2, 1), 10)


@pytest.mark.parametrize(
    ("start", "n", "day", "inside"),
    [
        (date(2025, 9, 30), 5, date(2025, 10, 14), True),  # the DOMAIN.md P-1 example's last day
        (date(2025, 9, 30), 5, date(2025, 10, 15), False),
        (date(2025, 9, 30), 5, date(2025, 9, 30), True),
        (date(2025, 9, 30), 0, date(2025, 9, 30), True),
        (date(2025, 9, 30), 0, date(2025, 10, 1), False),
        (date(2026, 12, 30), 5, date(2026, 12, 31), True),  # the period ends in 2027; 31 Dec is inside it
    ],
)
def test_p1_within_period(start: date, n: int, day: date, inside: bool) -> None:
    assert within_period(start, n, day) is inside
    assert period_over(start, n, day) is (not inside)


def test_p3_within_period_raises_only_for_a_needed_day() -> None:
    with pytest.raises(CalendarNotCovered):
        within_period(date(2026, 12, 30), 5, date(2027, 1, 20))


def test_covered_years_lists_the_library_and_the_file(tmp_path: Path) -> None:
    years = covered_years()
    assert 2026 in years and 2027 not in years and years == sorted(years)
    load_calendar_file(_write(tmp_path, CALENDAR_2027))
    assert 2027 in covered_years()


def test_earliest_event_date_is_the_nth_working_day() -> None:
    assert earliest_event_date(date(2026, 9, 30), 10) == add_working_days(date(2026, 9, 30), 10)


@given(
    st.dates(min_value=date(2005, 1, 1), max_value=date(2026, 12, 31)),
    st.integers(min_value=0, max_value=30),
    st.integers(min_value=0, max_value=60),
)
@settings(max_examples=300, deadline=None)
def test_bounded_answers_agree_with_the_full_walk(start: date, n: int, ahead: int) -> None:
    day = start + timedelta(days=ahead)
    try:
        end = add_working_days(start, n)
    except CalendarNotCovered:
        return
    assert filed_in_time(start, day, n) is (end <= day)
    assert within_period(start, n, day) is (day <= end)
