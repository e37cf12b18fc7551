"""Table and property tests for the batch rules: CR-8 panel scoring, required subjects, upload checks, CR-4."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from registry_testdata import bad_checksum, check_id, make_id
from registry_testkit import person_name

from certificate_registry.batches.rules import (
    BATCHES,
    BatchStatus,
    CandidateRow,
    Method,
    Subject,
    by_panel,
    check_batch_method,
    check_evaluation_held,
    check_issue_date,
    check_may_approve,
    check_may_object,
    id_key,
    panel_subject_passes,
    passes,
    publicity_end_shown,
    publicity_known_end,
    required_subjects,
    validate_rows,
)
from skills_shared.refusals import Refusal
from skills_shared.testing import library_calendars_only
from skills_shared.transitions import IllegalTransition
from skills_shared.workdays import (
    CalendarNotCovered,
    covered_years,
    load_calendar_file,
)

ALL = frozenset(Subject)


@pytest.mark.parametrize(
    ("scores", "ok"),
    [
        ((60, 60, 60), True),
        ((59, 60, 61), True),  # 2 of 3 members ≥ 60 is "2/3以上" (以上 includes the figure); mean 60
        ((100, 100, 0), True),  # 2 of 3 ≥ 60, mean 66.7
        ((59, 59, 100), False),  # mean 72.7 but only 1 of 3 ≥ 60
        ((60, 60, 0), False),  # 2 of 3 ≥ 60 but mean 40
        ((60, 60, 59), False),  # 2 of 3 ≥ 60 but mean 59.67
        ((61, 61, 58), True),  # mean exactly 60
        ((0, 0, 0), False),
        ((100, 100, 100), True),
        ((59, 59, 59), False),
    ],
)
def test_panel_table(scores: tuple[int, int, int], ok: bool) -> None:
    assert panel_subject_passes(scores) is ok
    assert _reference(list(scores)) is ok


def _reference(scores: list[int]) -> bool:
    """CR-8 written the slow, literal way with exact fractions."""
    if not scores:
        return False
    share = Fraction(sum(1 for s in scores if s >= 60), len(scores))
    mean = Fraction(sum(scores), len(scores))
    return share >= Fraction(2, 3) and mean >= 60


@given(st.lists(st.integers(0, 100), min_size=1, max_size=9))
def test_panel_matches_literal_rule(scores: list[int]) -> None:
    assert panel_subject_passes(scores) is _reference(scores)


@given(st.lists(st.integers(0, 100), min_size=3, max_size=3), st.integers(0, 2), st.integers(1, 40))
def test_raising_a_score_never_turns_pass_into_fail(scores: list[int], which: int, bump: int) -> None:
    raised = list(scores)
    raised[which] = min(100, raised[which] + bump)
    if panel_subject_passes(scores):
        assert panel_subject_passes(raised)


@pytest.mark.parametrize(
    ("method", "level", "guantong", "subjects"),
    [
        (Method.EXAMINATION, 5, False, {Subject.THEORY, Subject.SKILL}),
        (Method.EXAMINATION, 3, False, {Subject.THEORY, Subject.SKILL}),
        (Method.EXAMINATION, 2, False, set(Subject)),
        (Method.EXAMINATION, 1, False, set(Subject)),
        (Method.ASSESSMENT, 3, True, {Subject.SKILL}),
        (Method.ASSESSMENT, 4, False, {Subject.SKILL}),
        (Method.PANEL_REVIEW, 2, True, set(Subject)),
        (Method.DIRECT_RECOGNITION, 1, True, set(Subject)),
        (Method.DIRECT_RECOGNITION, 1, False, set()),
        (Method.COMPETITION, 2, False, set()),
    ],
)
def test_required_subjects(method: Method, level: int, guantong: bool, subjects: set[Subject]) -> None:
    assert required_subjects(method, level, guantong) == subjects


@pytest.mark.parametrize(
    ("method", "level", "guantong", "allowed"),
    [
        (Method.ASSESSMENT, 3, True, True),
        (Method.ASSESSMENT, 2, True, False),
        (Method.PANEL_REVIEW, 2, True, True),
        (Method.PANEL_REVIEW, 1, True, True),
        (Method.PANEL_REVIEW, 3, True, False),
        (Method.DIRECT_RECOGNITION, 3, True, True),
        (Method.EXAMINATION, 2, True, False),
        (Method.DIRECT_RECOGNITION, 4, True, False),
        (Method.EXAMINATION, 5, False, True),
        (Method.ASSESSMENT, 1, False, True),
    ],
)
def test_batch_method_combinations(method: Method, level: int, guantong: bool, allowed: bool) -> None:
    if allowed:
        check_batch_method(method, level, guantong)
        return
    with pytest.raises(Refusal) as refused:
        check_batch_method(method, level, guantong)
    assert (refused.value.rule, refused.value.code) == ("CR-9", "method_not_allowed")
    assert refused.value.errors[0].loc == ["body", "method"]


@pytest.mark.parametrize(
    ("method", "guantong", "panel"),
    [
        (Method.ASSESSMENT, True, False),  # 贯通 高级工: assessors' skill-operation score (seed 002 六(三))
        (Method.PANEL_REVIEW, True, True),
        (Method.DIRECT_RECOGNITION, True, True),
        (Method.EXAMINATION, False, False),
        (Method.PANEL_REVIEW, False, False),
    ],
)
def test_who_scores(method: Method, guantong: bool, panel: bool) -> None:
    assert by_panel(method, guantong) is panel


def _row(seq: int, **overrides: object) -> CandidateRow:
    values: dict[str, object] = {
        "name": person_name(seq),
        "id_number": make_id(seq),
        "gender": "男",
        "scores": {"theory": 70, "skill": 80},
    }
    values.update(overrides)
    return CandidateRow(**values)  # type: ignore[arg-type]


EXAM = frozenset({Subject.THEORY, Subject.SKILL})


def test_valid_upload_has_no_errors() -> None:
    rows = [_row(i) for i in range(50)] + [_row(99, gender="女", id_number=make_id(99, male=False))]
    assert validate_rows(rows, subjects=EXAM, panel=False, check_id=check_id) == []


def test_every_bad_row_is_listed_once_with_its_field() -> None:
    rows = [
        _row(0),
        _row(1, id_number=bad_checksum(make_id(1))),
        _row(2, id_number=make_id(0)),  # a repeat of row 0 is the service's duplicate_rows, not a row error
        _row(3, name="  "),
        _row(4, gender="女"),  # ID says male
        _row(5, scores={"theory": 101, "skill": 80}),
        _row(6, scores={"skill": 80}),
        _row(7, scores={"theory": 70, "skill": 80, "comprehensive": 90}),
        _row(8, name="张\x00三"),
        _row(9, gender="X", id_number="123"),
        _row(10, panel={"skill": [60, 60, 60]}),
        _row(11, scores={"theory": True, "skill": 80}),
    ]
    errors = validate_rows(rows, subjects=EXAM, panel=False, check_id=check_id)
    found = {(e.row, e.field) for e in errors}
    assert found == {
        (1, "id_number"),
        (3, "name"),
        (4, "gender"),
        (5, "scores.theory"),
        (6, "scores.theory"),
        (7, "scores.comprehensive"),
        (8, "name"),
        (9, "id_number"),
        (9, "gender"),
        (10, "panel"),
        (11, "scores.theory"),
    }
    assert len(errors) == len(found)


def test_names_pass_the_suite_s_one_name_check() -> None:
    """Issue 20 item 10: RTL overrides, zero-width joiners, full-width Latin, U+3000, digits and emoji are refused."""
    bad = ["张\u202e三", "张\u200d三", "Ｚhang", "张\u3000三", "张3", "张三😀"]
    rows = [_row(0, name="阿卜杜·热合曼"), *(_row(i + 1, name=name) for i, name in enumerate(bad))]
    errors = validate_rows(rows, subjects=EXAM, panel=False, check_id=check_id)
    assert [(e.row, e.field) for e in errors] == [(i + 1, "name") for i in range(len(bad))]
    assert all("姓名" in e.reason for e in errors)


def test_lower_case_x_is_the_same_id_number() -> None:
    x_id = next(i for i in (make_id(n) for n in range(400)) if i.endswith("X"))
    assert id_key(x_id.lower()) == id_key(f" {x_id} ") == x_id
    rows = [_row(0, id_number=x_id.lower())]
    assert validate_rows(rows, subjects=EXAM, panel=False, check_id=check_id) == []


def test_guantong_rows_need_three_marks_per_subject() -> None:
    good = {"theory": [70, 70, 70], "skill": [60, 61, 59], "comprehensive": [90, 80, 70]}
    rows = [
        _row(0, scores={}, panel=good),
        _row(1, scores={}, panel={**good, "skill": [70, 70]}),
        _row(2, scores={}, panel={**good, "theory": [70, 70, 170]}),
        _row(3, scores={"theory": 70}, panel=good),
    ]
    errors = validate_rows(rows, subjects=ALL, panel=True, check_id=check_id)
    assert [(e.row, e.field) for e in errors] == [(1, "panel.skill"), (2, "panel.theory"), (3, "scores")]
    assert passes(rows[0], ALL, panel=True)


def test_pass_decisions() -> None:
    assert passes(_row(0), EXAM, panel=False)
    assert not passes(_row(0, scores={"theory": 59, "skill": 100}), EXAM, panel=False)
    assert passes(_row(0, scores={}), frozenset(), panel=False)
    panel = {"skill": [100, 100, 0]}
    assert passes(_row(0, scores={}, panel=panel), frozenset({Subject.SKILL}), panel=True)
    panel = {"skill": [59, 59, 100]}
    assert not passes(_row(0, scores={}, panel=panel), frozenset({Subject.SKILL}), panel=True)


def test_too_many_rows() -> None:
    rows = [_row(0)] * 10_001
    errors = validate_rows(rows, subjects=EXAM, panel=False, check_id=check_id)
    assert [e.field for e in errors] == ["candidates"]


@pytest.mark.parametrize(
    ("today", "object_ok", "approve_ok"),
    [
        (date(2025, 9, 29), False, False),
        (date(2025, 9, 30), True, False),
        (date(2025, 10, 8), True, False),
        (date(2025, 10, 14), True, False),
        (date(2025, 10, 15), False, True),
    ],
)
def test_publicity_window(today: date, object_ok: bool, approve_ok: bool) -> None:
    starts = date(2025, 9, 30)  # P-1's example: ends 2025-10-14
    for check, ok in (
        (lambda: check_may_object(today, starts), object_ok),
        (lambda: check_may_approve(today, starts), approve_ok),
    ):
        if ok:
            check()
            continue
        with pytest.raises(Refusal) as refused:
            check()
        assert refused.value.rule == "CR-4" and refused.value.status == 409
        assert refused.value.extra["publicity_ends"] == "2025-10-14"
    if not approve_ok:
        with pytest.raises(Refusal, match="2025-10-14") as refused:
            check_may_approve(today, starts)
        assert refused.value.extra["earliest_date"] == "2025-10-15"


DECEMBER_START = date(2026, 12, 28)
"""A Monday: its 5 working days run into 2027 (29, 30, 31 December and two days of January)."""


@pytest.fixture
def no_operator_calendar() -> Iterator[None]:
    """Only the library's years (and what a test loads itself) count, before and after the test."""
    with library_calendars_only():
        yield


@pytest.mark.skipif(2027 in covered_years(), reason="the installed chinesecalendar covers 2027 now")
@pytest.mark.usefixtures("no_operator_calendar")
def test_a_publicity_started_on_28_december_runs_without_a_2027_calendar() -> None:
    assert publicity_known_end(DECEMBER_START) is None  # shown as unknown, never guessed
    assert publicity_end_shown(DECEMBER_START, None) is None
    for day in (DECEMBER_START, date(2026, 12, 30), date(2026, 12, 31)):
        check_may_object(day, DECEMBER_START)  # reads December days only
    with pytest.raises(Refusal) as refused:
        check_may_approve(date(2026, 12, 30), DECEMBER_START)
    assert (refused.value.rule, refused.value.code, refused.value.status) == (
        "CR-4",
        "publicity_not_ended",
        409,
    )
    assert refused.value.extra == {
        "publicity_starts": "2026-12-28",
        "publicity_ends": None,
        "earliest_date": None,
    }
    assert "2027年工作日历" in refused.value.detail
    # In January the answer depends on 1 January 2027: P-3, never a guess.
    for check in (
        lambda: check_may_approve(date(2027, 1, 6), DECEMBER_START),
        lambda: check_may_object(date(2027, 1, 4), DECEMBER_START),
    ):
        with pytest.raises(CalendarNotCovered) as uncovered:
            check()
        problem = uncovered.value.refusal()
        assert (problem.rule, problem.code, problem.extra["year"]) == ("P-3", "calendar_not_covered", 2027)


@pytest.mark.usefixtures("no_operator_calendar")
@pytest.mark.parametrize(
    ("today", "object_ok", "approve_ok"),
    [
        (date(2026, 12, 30), True, False),
        (date(2027, 1, 1), True, False),  # a holiday in the loaded file
        (date(2027, 1, 5), True, False),  # 29, 30, 31 Dec, 4 and 5 Jan: the 5th working day
        (date(2027, 1, 6), False, True),
    ],
)
def test_a_december_publicity_with_a_2027_calendar_ends_on_its_5th_working_day(
    tmp_path: Path, today: date, object_ok: bool, approve_ok: bool
) -> None:
    path = tmp_path / "calendar-2027.json"  # SYNTHETIC operator file, New Year's Day off
    path.write_text(json.dumps({"2027": {"holidays": ["2027-01-01"], "workdays": []}}), encoding="utf-8")
    load_calendar_file(path)
    assert publicity_known_end(DECEMBER_START) == date(2027, 1, 5)
    if object_ok:
        check_may_object(today, DECEMBER_START)
    else:
        with pytest.raises(Refusal) as over:
            check_may_object(today, DECEMBER_START)
        assert (over.value.code, over.value.extra["publicity_ends"]) == ("not_in_publicity", "2027-01-05")
    if approve_ok:
        check_may_approve(today, DECEMBER_START)
    else:
        with pytest.raises(Refusal) as early:
            check_may_approve(today, DECEMBER_START)
        assert (early.value.rule, early.value.extra["earliest_date"]) == ("CR-4", "2027-01-06")
        assert "2027-01-06起方可审核" in early.value.detail


@pytest.mark.parametrize(
    ("today", "held"),
    [(date(2026, 9, 16), False), (date(2026, 9, 17), True), (date(2026, 9, 18), True)],
)
def test_results_and_publicity_only_once_the_evaluation_took_place(today: date, held: bool) -> None:
    evaluation = date(2026, 9, 17)
    if held:
        check_evaluation_held(today, evaluation, action_zh="上传成绩")
        return
    with pytest.raises(Refusal) as refused:
        check_evaluation_held(today, evaluation, action_zh="上传成绩")
    assert (refused.value.rule, refused.value.code) == ("CR-4", "evaluation_not_held")
    assert refused.value.extra["earliest_date"] == "2026-09-17"
    assert "2026-09-17" in refused.value.detail


@pytest.mark.parametrize(
    ("issued", "ok"), [(date(2026, 9, 16), False), (date(2026, 9, 17), True), (date(2027, 1, 4), True)]
)
def test_issue_date_never_before_the_evaluation(issued: date, ok: bool) -> None:
    evaluation = date(2026, 9, 17)
    if ok:
        check_issue_date(issued, evaluation)
        return
    with pytest.raises(Refusal) as refused:
        check_issue_date(issued, evaluation)
    assert (refused.value.rule, refused.value.code) == ("CR-4", "issue_before_evaluation")


def test_batch_state_machine() -> None:
    order = [BatchStatus.DRAFT, BatchStatus.PUBLICITY, BatchStatus.APPROVED, BatchStatus.ISSUED]
    moves = {"publicise": BatchStatus.PUBLICITY, "approve": BatchStatus.APPROVED, "issue": BatchStatus.ISSUED}
    for i, current in enumerate(order):
        for action, target in moves.items():
            j = order.index(target)
            allowed = j == i + 1 or (current is BatchStatus.ISSUED and action == "issue")
            if allowed:
                assert BATCHES.next(current, action) is target
            else:
                with pytest.raises(IllegalTransition) as refused:
                    BATCHES.next(current, action)
                assert refused.value.code == "illegal_state" and refused.value.rule == "CR-4"
                assert refused.value.extra == {"current_state": current.value, "action": action}
    assert BATCHES.next(BatchStatus.DRAFT, "upload") is BatchStatus.DRAFT
    assert not BATCHES.allows(BatchStatus.PUBLICITY, "upload")


CORRUPTIONS = ("checksum", "gender", "score", "missing", "name")


@given(
    size=st.integers(1, 40),
    damage=st.dictionaries(st.integers(0, 39), st.sampled_from(CORRUPTIONS), max_size=10),
)
def test_exactly_the_damaged_rows_are_reported(size: int, damage: dict[int, str]) -> None:
    rows = [_row(i) for i in range(size)]
    damaged: set[int] = set()
    for index, kind in damage.items():
        if index == 0 or index >= size:
            continue  # row 0 stays valid
        row = rows[index]
        if kind == "checksum":
            rows[index] = _row(index, id_number=bad_checksum(row.id_number))
        elif kind == "gender":
            rows[index] = _row(index, gender="女")
        elif kind == "score":
            rows[index] = _row(index, scores={"theory": 70, "skill": 101})
        elif kind == "missing":
            rows[index] = _row(index, scores={"theory": 70})
        else:
            rows[index] = _row(index, name="")
        damaged.add(index)
    errors = validate_rows(rows, subjects=EXAM, panel=False, check_id=check_id)
    assert {e.row for e in errors} == damaged


def test_state_refusals_name_the_state_in_chinese() -> None:
    with pytest.raises(IllegalTransition) as refused:
        BATCHES.next(BatchStatus.PUBLICITY, "upload")
    assert "公示中" in refused.value.detail and "publicity" not in refused.value.detail
    assert refused.value.extra["current_state"] == "publicity"
