"""Chinese working days (statutory holidays and 调休) for periods and deadlines: rules P-1, P-2, P-3.

P-3 is applied to the days an answer *depends on*, never to the days a naive walk would visit: whether a plan
filed on 7 December is on time for a January evaluation needs only the ten working days after the filing day
(all in December), so it is answered even while the next year's calendar is unpublished. Each function says
which days it reads. The ``holidays`` package is not a source for P-3: its China data past the State Council's
yearly notice is a law-based estimate without the 调休 make-up days, so an uncovered year stays an error until
the operator's calendar file (``SKILLS_CALENDAR_FILE``) or a newer ``chinesecalendar`` covers it.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

import chinese_calendar

from skills_shared.refusals import Refusal

__all__ = [
    "CALENDAR_FILE_ENV",
    "CalendarFileError",
    "CalendarNotCovered",
    "PeriodNotOver",
    "YearCalendar",
    "add_working_days",
    "covered_by_file",
    "covered_years",
    "earliest_event_date",
    "filed_in_time",
    "is_working_day",
    "latest_filing_date",
    "load_calendar_file",
    "next_working_day_after",
    "parse_calendar_file",
    "period_end",
    "period_not_over",
    "period_over",
    "reset_loaded_calendars",
    "today_shanghai",
    "within_period",
    "working_days_between",
]

CALENDAR_FILE_ENV = "SKILLS_CALENDAR_FILE"
SHANGHAI = ZoneInfo("Asia/Shanghai")
_ONE_DAY = timedelta(days=1)


class CalendarNotCovered(Exception):
    """P-3: the working-day calendar has no data for this year, so no answer is given rather than a guess."""

    rule = "P-3"
    code = "calendar_not_covered"

    def __init__(self, year: int) -> None:
        self.year = year
        self.reason = f"工作日历未包含{year}年的节假日安排，无法计算工作日"
        super().__init__(
            f"{self.reason} / the working-day calendar does not cover {year}; "
            f"add the year to the file named by {CALENDAR_FILE_ENV}"
        )

    def refusal(self, *, field: Sequence[str | int] | None = None) -> Refusal:
        """P-3 as every service answers it: 409 naming the year and the years covered.

        409 and not 503: the service is well, the request can be made again once that year's schedule is
        loaded (a 503 reads as "down" to every client, and the gateway answers its own ``service_unavailable``
        in its place, without the rule). One refusal for the whole suite, so a client handles P-3 once."""
        years = covered_years()
        held = f"（已收录 {years[0]}–{years[-1]} 年）" if years else ""
        return Refusal(
            self.rule,
            self.code,
            f"{self.reason}{held}；该年度国务院节假日安排发布并录入后即可办理",
            status=409,
            title="Calendar not covered",
            field=field,
            extra={"year": self.year, "covered_years": years},
        )


class CalendarFileError(ValueError):
    """The operator's calendar file is unreadable or inconsistent."""


@dataclass(frozen=True, slots=True)
class YearCalendar:
    """One year supplied by the operator: weekday days off and weekend make-up workdays."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]

    def is_working_day(self, d: date) -> bool:
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5


def parse_calendar_file(path: str | os.PathLike[str]) -> Mapping[int, YearCalendar]:
    """Read an operator calendar file: {"2027": {"holidays": ["2027-01-01", ...], "workdays": [...]}}.

    A year present in the file is fully covered: weekends are off except the listed workdays, weekdays are
    working days except the listed holidays. Dates outside their year, or listed as both, are refused, since
    a typo here would silently move every deadline.
    """
    p = Path(path)
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CalendarFileError(f"工作日历文件无法读取 / cannot read calendar file {p}: {exc}") from exc
    if not isinstance(raw, dict):
        raise CalendarFileError(f"calendar file {p}: top level must be an object keyed by year")
    years: dict[int, YearCalendar] = {}
    for key, entry in raw.items():
        if not (isinstance(key, str) and len(key) == 4 and key.isdigit()):
            raise CalendarFileError(f"calendar file {p}: year key {key!r} is not a 4-digit year")
        year = int(key)
        if not isinstance(entry, dict) or set(entry) - {"holidays", "workdays"}:
            raise CalendarFileError(f"calendar file {p}: {key} must have only 'holidays' and 'workdays'")
        holidays = _dates(p, year, entry.get("holidays", []))
        workdays = _dates(p, year, entry.get("workdays", []))
        both = holidays & workdays
        if both:
            raise CalendarFileError(f"calendar file {p}: {min(both)} is listed as both holiday and workday")
        years[year] = YearCalendar(year, holidays, workdays)
    return MappingProxyType(years)


def _dates(p: Path, year: int, items: object) -> frozenset[date]:
    if not isinstance(items, list):
        raise CalendarFileError(f"calendar file {p}: {year} lists must be arrays of dates")
    out: set[date] = set()
    for item in items:
        try:
            d = date.fromisoformat(item) if isinstance(item, str) and len(item) == 10 else None
        except ValueError:
            d = None
        if d is None:
            raise CalendarFileError(f"calendar file {p}: {item!r} is not a YYYY-MM-DD date")
        if d.year != year:
            raise CalendarFileError(f"calendar file {p}: {item} is listed under {year}")
        out.add(d)
    return frozenset(out)


# Years loaded explicitly by load_calendar_file, and the cached content of the SKILLS_CALENDAR_FILE file.
_loaded: dict[int, YearCalendar] = {}
_env_cache: tuple[str, int, int, Mapping[int, YearCalendar]] | None = None


def load_calendar_file(path: str | os.PathLike[str]) -> frozenset[int]:
    """Load an operator calendar file for this process; returns the years it covers. Later loads win."""
    years = parse_calendar_file(path)
    _loaded.update(years)
    return frozenset(years)


def reset_loaded_calendars() -> None:
    """Forget explicitly loaded years (the environment file, if any, still applies)."""
    global _env_cache
    _loaded.clear()
    _env_cache = None


def _env_years() -> Mapping[int, YearCalendar]:
    global _env_cache
    path = os.environ.get(CALENDAR_FILE_ENV)
    if not path:
        return MappingProxyType({})
    try:
        st = Path(path).stat()
    except OSError as exc:
        raise CalendarFileError(f"{CALENDAR_FILE_ENV}={path}: {exc}") from exc
    if _env_cache is not None and _env_cache[:3] == (path, st.st_mtime_ns, st.st_size):
        return _env_cache[3]
    years = parse_calendar_file(path)
    _env_cache = (path, st.st_mtime_ns, st.st_size, years)
    return years


def covered_by_file() -> frozenset[int]:
    """Years the operator has supplied (environment file and explicit loads)."""
    return frozenset(_env_years()) | frozenset(_loaded)


@functools.lru_cache(maxsize=1)
def _library_years() -> frozenset[int]:
    """Years the installed ``chinesecalendar`` covers (its tables name every holiday of each year it knows)."""
    known = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    return frozenset(range(min(known), max(known) + 1)) if known else frozenset()


def covered_years() -> list[int]:
    """Every year the calendar answers for (library and operator file), sorted: what a client may plan within."""
    return sorted(_library_years() | covered_by_file())


class _Calendar:
    """A snapshot of operator years taken once per public call, so a loop does not re-stat the file."""

    __slots__ = ("_years",)

    def __init__(self) -> None:
        years = dict(_env_years())
        years.update(_loaded)
        self._years = years

    def is_working_day(self, d: date) -> bool:
        # The operator's year wins over the library's: it is how a wrong or late library is corrected.
        override = self._years.get(d.year)
        if override is not None:
            return override.is_working_day(d)
        library = _library_is_workday(d)
        if library is None:
            raise CalendarNotCovered(d.year)
        return library


@functools.lru_cache(maxsize=8192)
def _library_is_workday(d: date) -> bool | None:
    """The library's answer, remembered: its tables are fixed for the process, and a claim submit walks ten
    working days through it (None: the library does not cover that year)."""
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        return None


def _as_date(d: date) -> date:
    # A datetime is a date subclass; silently dropping its time (and zone) would hide a bug in the caller.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError("expected a datetime.date (a business date in Asia/Shanghai), not a datetime")
    return d


def _check_n(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"number of working days must be a non-negative integer, got {n!r}")
    return n


def is_working_day(d: date) -> bool:
    """True on a working day: a weekday that is no statutory holiday, or a weekend 调休 make-up day (P-3)."""
    return _Calendar().is_working_day(_as_date(d))


def add_working_days(start: date, n: int) -> date:
    """P-1: the N-th working day after ``start``; the start day itself is never counted (民法典 art. 201).

    ``n == 0`` returns ``start`` unchanged. Raises CalendarNotCovered (P-3) when the walk enters an
    uncovered year.
    """
    cal = _Calendar()
    d = _as_date(start)
    remaining = _check_n(n)
    while remaining:
        d += _ONE_DAY
        if cal.is_working_day(d):
            remaining -= 1
    return d


def period_end(start: date, n: int) -> date:
    """P-1: last day of a period of N working days starting on ``start`` (e.g. a 公示 period); the day after
    it is the first day the next step may happen."""
    return add_working_days(start, n)


def working_days_between(a: date, b: date) -> int:
    """Working days in the half-open range (a, b]: ``a`` not counted, ``b`` counted (P-1); 0 when b <= a.

    So ``working_days_between(s, add_working_days(s, n)) == n``.
    """
    cal = _Calendar()
    d, end = _as_date(a), _as_date(b)
    count = 0
    while d < end:
        d += _ONE_DAY
        if cal.is_working_day(d):
            count += 1
    return count


def next_working_day_after(d: date) -> date:
    """The first working day strictly after ``d``."""
    return add_working_days(d, 1)


def latest_filing_date(event_day: date, n: int) -> date:
    """P-2: the last *working day* on which something due "at least N working days before" ``event_day``
    can be filed, i.e. the latest working day S with add_working_days(S, N) <= event_day.

    For an evaluation on 2026-10-20 and N = 10 this is 2026-09-30. A filing made on a non-working day that
    follows it (2026-10-01 … 10-07) leaves the department exactly as many working days, so filed_in_time
    accepts it too; this function gives the date to show as the deadline.
    """
    cal = _Calendar()
    end = _as_date(event_day)
    needed = _check_n(n) + 1  # the (N+1)-th working day counting back from event_day, inclusive
    d = end
    while True:
        if cal.is_working_day(d):
            needed -= 1
            if needed == 0:
                return d
        d -= _ONE_DAY


def filed_in_time(filed_on: date, event_day: date, n: int) -> bool:
    """P-2: a filing on ``filed_on`` is "at least N working days before" ``event_day`` when
    add_working_days(filed_on, N) <= event_day.

    Reads only the days after ``filed_on`` up to the N-th working day or ``event_day``, whichever comes first:
    a December filing for a January evaluation whose ten working days all fall in December is answered while
    the next year is still uncovered (P-3 is raised only for a day the answer depends on).
    """
    cal = _Calendar()
    d, end = _as_date(filed_on), _as_date(event_day)
    remaining = _check_n(n)
    while remaining:
        d += _ONE_DAY
        if d > end:
            return False
        if cal.is_working_day(d):
            remaining -= 1
    return d <= end


def earliest_event_date(filed_on: date, n: int) -> date:
    """P-2: the first day an event may take place when filed on ``filed_on`` "at least N working days before"
    (the N-th working day after the filing day). Reads the days up to that answer."""
    return add_working_days(filed_on, n)


def within_period(start: date, n: int, day: date) -> bool:
    """P-1: ``day`` falls on or before the last day of the N-working-day period starting on ``start``
    (``day <= period_end(start, n)``).

    Reads only the days strictly between ``start`` and ``day`` (and stops at the N-th working day), so a
    question about a day near the start of a period is answered even if its end lies in an uncovered year.
    """
    cal = _Calendar()
    d, target = _as_date(start), _as_date(day)
    count, limit = 0, _check_n(n)
    if target <= d or limit == 0:
        return target <= d
    while True:
        d += _ONE_DAY
        if d >= target:
            return True
        if cal.is_working_day(d):
            count += 1
            if count >= limit:
                return False


def period_over(start: date, n: int, day: date) -> bool:
    """P-1: the N-working-day period starting on ``start`` has ended before ``day`` (the next step may happen
    on ``day``). Reads the same days as :func:`within_period`."""
    return not within_period(start, n, day)


@dataclass(frozen=True, slots=True)
class PeriodNotOver:
    """P-1 with P-3: why a step after an N-working-day period must wait, worded for the refusal.

    ``ends`` and ``earliest`` (the day after ``ends``, when the step is accepted) are None while the end lies in a
    year the calendar does not cover; ``detail`` says so instead of guessing (a publicity started in late
    December). The CR-4 batch approval and the CQ-5 / SH-11 claim confirmation wait the same way."""

    ends: date | None
    earliest: date | None
    detail: str


def period_not_over(start: date, n: int, what: str, step: str) -> PeriodNotOver:
    """The wait of ``step`` (e.g. "审核") after the N-working-day ``what`` (e.g. "公示期") started on ``start``."""
    try:
        ends = period_end(start, n)
    except CalendarNotCovered as exc:
        return PeriodNotOver(
            None,
            None,
            f"{what}为{start.isoformat()}后的{n}个工作日，尚未结束；"
            f"结束日期须待{exc.year}年工作日历发布后确定，{what}结束后方可{step}",
        )
    earliest = ends + _ONE_DAY
    return PeriodNotOver(ends, earliest, f"{what}至{ends.isoformat()}结束，{earliest:%Y-%m-%d}起方可{step}")


def today_shanghai() -> date:
    """Today's business date in Asia/Shanghai, whatever the server's zone."""
    return datetime.now(SHANGHAI).date()
