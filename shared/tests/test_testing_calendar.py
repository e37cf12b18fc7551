"""The synthetic calendar that keeps real-clock tests and the benchmark working past the library's last year.

It must cover exactly the missing years, with weekdays working and weekends off, and leave the environment as
it found it, so that P-3 (an uncovered year is refused) still holds everywhere else.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from skills_shared.testing import apply_synthetic_calendar, synthetic_calendar_for_uncovered_years
from skills_shared.workdays import (
    CALENDAR_FILE_ENV,
    CalendarNotCovered,
    add_working_days,
    parse_calendar_file,
    reset_loaded_calendars,
)

LATE_2026 = date(2026, 12, 20)


@pytest.fixture(autouse=True)
def _no_operator_calendar(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(CALENDAR_FILE_ENV, raising=False)
    reset_loaded_calendars()
    yield
    reset_loaded_calendars()


def test_late_2026_writes_2027_with_weekdays_working_and_no_holidays(tmp_path: Path) -> None:
    path = tmp_path / "calendar.json"
    assert synthetic_calendar_for_uncovered_years(LATE_2026, path) == path
    years = parse_calendar_file(path)
    assert set(years) == {2027}
    year = years[2027]
    assert year.holidays == frozenset()
    assert year.workdays == frozenset()
    assert year.is_working_day(date(2027, 1, 4))  # Monday
    assert not year.is_working_day(date(2027, 1, 2))  # Saturday


def test_looking_further_ahead_covers_every_missing_year(tmp_path: Path) -> None:
    path = synthetic_calendar_for_uncovered_years(LATE_2026, tmp_path / "calendar.json", years_ahead=2)
    assert path is not None
    assert set(parse_calendar_file(path)) == {2027, 2028}


def test_nothing_is_written_when_the_library_covers_every_year(tmp_path: Path) -> None:
    path = tmp_path / "calendar.json"
    assert synthetic_calendar_for_uncovered_years(date(2025, 6, 1), path) is None
    assert not path.exists()


def test_applied_calendar_lets_a_walk_enter_2027_and_the_undo_restores_p3(tmp_path: Path) -> None:
    with pytest.raises(CalendarNotCovered):
        add_working_days(date(2026, 12, 28), 10)
    undo = apply_synthetic_calendar(LATE_2026, tmp_path / "calendar.json")
    try:
        assert os.environ[CALENDAR_FILE_ENV] == str(tmp_path / "calendar.json")
        # 29–31 December from the library, then 1 January (no holiday in synthetic data) and 4–11 January.
        assert add_working_days(date(2026, 12, 28), 10) == date(2027, 1, 11)
    finally:
        undo()
    assert CALENDAR_FILE_ENV not in os.environ
    with pytest.raises(CalendarNotCovered):
        add_working_days(date(2026, 12, 28), 10)


def test_an_operator_file_already_named_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    operator = tmp_path / "operator.json"
    operator.write_text('{"2027": {"holidays": ["2027-01-01"], "workdays": []}}', encoding="utf-8")
    monkeypatch.setenv(CALENDAR_FILE_ENV, str(operator))
    undo = apply_synthetic_calendar(LATE_2026, tmp_path / "synthetic.json")
    assert os.environ[CALENDAR_FILE_ENV] == str(operator)
    assert not (tmp_path / "synthetic.json").exists()
    undo()
    assert os.environ[CALENDAR_FILE_ENV] == str(operator)


def test_nothing_is_applied_when_the_library_covers_every_year(tmp_path: Path) -> None:
    undo = apply_synthetic_calendar(date(2025, 6, 1), tmp_path / "calendar.json")
    assert CALENDAR_FILE_ENV not in os.environ
    undo()
    assert CALENDAR_FILE_ENV not in os.environ
