"""Pure rules for evaluation batches: which subjects count, how a 贯通 panel is judged, what an upload must
satisfy, the batch's states, and when results, publicity, objections and approval may happen.

CR-8 judges a 贯通 panel, CR-9 bounds the levels a 贯通 method may give, CR-4 orders evaluation → publicity →
review → issue (seed 001 二(四) 2→3→4). Refusals are :class:`~skills_shared.refusals.Refusal`; the batch's
states move only through :data:`BATCHES`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from skills_shared.contracts.v1.registry import BatchStatus, Method
from skills_shared.refusals import Refusal
from skills_shared.transitions import StateMachine
from skills_shared.validators import InvalidValue, validate_person_name
from skills_shared.workdays import CalendarNotCovered, period_end, period_not_over, period_over, within_period

__all__ = ["BatchStatus", "Method"]

RULE_PUBLICITY = "CR-4"
RULE_PANEL = "CR-8"
RULE_TITLE_LEVEL = "CR-9"

MAX_CANDIDATES = 10_000
PASS_MARK = 60
MIN_SCORE = 0
MAX_SCORE = 100
PANEL_SIZE = 3
PUBLICITY_WORKING_DAYS = 5


class Subject(StrEnum):
    """The three subjects of seed 002 六(三): 理论, 技能, 综合."""

    THEORY = "theory"
    SKILL = "skill"
    COMPREHENSIVE = "comprehensive"


class Gender(StrEnum):
    MALE = "男"
    FEMALE = "女"


def by_panel(method: Method, guantong: bool) -> bool:
    """Whether a 3-expert panel scores the batch (CR-8).

    Seed 002 六(三): "对于实行直接认定和综合评审方式的…每个评审组由 3 名专家组成"; "对于实施考核评价的高级工，
    按照技能操作考核要求配备考评员或高级考评员进行操作考核评价" — a 贯通 assessment is scored by assessors, one
    skill-operation score per candidate, like any assessment.
    """
    return guantong and method in (Method.PANEL_REVIEW, Method.DIRECT_RECOGNITION)


def required_subjects(method: Method, level: int, guantong: bool) -> frozenset[Subject]:
    """The subjects a candidate must pass.

    Seed 002 六(三): a 贯通 panel scores theory, skill and comprehensive; 高级工 by assessment is skill only.
    Seed 001 二(四)2: theory + skill, with comprehensive review added for 技师/高级技师 (levels 1–2).
    Decision: direct recognition and competition outside 贯通 carry no scores; the decision is the record.
    """
    if method is Method.ASSESSMENT:
        return frozenset({Subject.SKILL})
    if guantong:
        return frozenset(Subject)
    if method in (Method.DIRECT_RECOGNITION, Method.COMPETITION):
        return frozenset()
    if level <= 2:
        return frozenset(Subject)
    return frozenset({Subject.THEORY, Subject.SKILL})


def check_batch_method(method: Method, level: int, guantong: bool) -> None:
    """CR-9 and seed 002 三: which level a 贯通 method may give; a Refusal naming ``method`` otherwise."""
    reason = _method_problem(method, level, guantong)
    if reason is not None:
        raise Refusal(RULE_TITLE_LEVEL, "method_not_allowed", reason, field=("body", "method"))


def _method_problem(method: Method, level: int, guantong: bool) -> str | None:
    if not guantong:
        return None
    if level not in (1, 2, 3):
        return "贯通评价只评定三级/高级工、二级/技师、一级/高级技师"
    if method is Method.ASSESSMENT and level != 3:
        return "考核评价只适用于申报三级/高级工；技师、高级技师请选择综合评审或直接认定"
    if method is Method.PANEL_REVIEW and level == 3:
        return "综合评审只适用于申报技师或高级技师；高级工请选择考核评价或直接认定"
    if method is Method.EXAMINATION or method is Method.COMPETITION:
        return "贯通评价采取直接认定、综合评审或考核评价方式"
    return None


def panel_subject_passes(scores: Sequence[int]) -> bool:
    """CR-8: at least 2/3 of the members score ≥ 60 AND the mean is ≥ 60.

    Exact integer arithmetic: 3·passing ≥ 2·n and Σ ≥ 60·n, so no float ever decides a result.
    """
    n = len(scores)
    if n == 0:
        return False
    passing = sum(1 for score in scores if score >= PASS_MARK)
    return 3 * passing >= 2 * n and sum(scores) >= PASS_MARK * n


def single_subject_passes(score: int) -> bool:
    return score >= PASS_MARK


@dataclass(frozen=True, slots=True)
class CandidateRow:
    """One uploaded result, as plain data. `scores` holds one score per subject; `panel` three per subject."""

    name: str
    id_number: str
    gender: str
    photo_ref: str | None = None
    scores: Mapping[str, int] = field(default_factory=dict)
    panel: Mapping[str, Sequence[int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RowError:
    """One bad field of one uploaded row: `row` is the 0-based index in the upload."""

    row: int
    field: str
    reason: str


def passes(row: CandidateRow, subjects: frozenset[Subject], panel: bool) -> bool:
    """Whether a (valid) row passes every required subject: CR-8 for 贯通 panels, ≥ 60 otherwise."""
    if panel:
        return all(panel_subject_passes(row.panel.get(subject.value, ())) for subject in subjects)
    return all(single_subject_passes(row.scores.get(subject.value, -1)) for subject in subjects)


IdChecker = Callable[[str], str | None]
"""Returns None for a valid resident ID number, or the reason it is invalid (e.g. a checksum mismatch)."""


def normalise_name(name: str) -> str:
    """NFC and trimmed: the form a name is stored in and compared in (the one name check has passed it)."""
    return unicodedata.normalize("NFC", name).strip()


def _has_control(text: str) -> bool:
    return any(unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") for char in text)


def gender_from_id(id_number: str) -> Gender:
    """GB 11643: the 17th character is odd for men and even for women."""
    return Gender.MALE if int(id_number[16]) % 2 == 1 else Gender.FEMALE


def id_key(id_number: str) -> str:
    """The form of an ID number two rows are compared by: a lower-case check letter is the same person."""
    return id_number.strip().upper()


def validate_rows(
    rows: Sequence[CandidateRow],
    *,
    subjects: frozenset[Subject],
    panel: bool,
    check_id: IdChecker,
) -> list[RowError]:
    """Every problem of an upload at once, so a body fixes its file in one go (nothing is stored on error).

    A repeated ID number is not among them: the service refuses it before, as every bulk write of the suite
    does (``skills_shared.duplicates``, 422 ``duplicate_rows`` naming both rows).
    """
    errors: list[RowError] = []
    if len(rows) > MAX_CANDIDATES:
        return [RowError(MAX_CANDIDATES, "candidates", f"一次最多上传{MAX_CANDIDATES}名考生")]
    wanted = {subject.value for subject in subjects}
    for index, row in enumerate(rows):
        try:
            validate_person_name(row.name)
        except InvalidValue as refused:
            errors.append(RowError(index, "name", refused.reason))
        id_number = id_key(row.id_number)
        id_reason = check_id(id_number)
        if id_reason is not None:
            errors.append(RowError(index, "id_number", id_reason))
        else:
            if row.gender not in (Gender.MALE.value, Gender.FEMALE.value):
                errors.append(RowError(index, "gender", "性别应为“男”或“女”"))
            elif gender_from_id(id_number).value != row.gender:
                errors.append(RowError(index, "gender", "性别与身份证号码不一致"))
        if id_reason is not None and row.gender not in (Gender.MALE.value, Gender.FEMALE.value):
            errors.append(RowError(index, "gender", "性别应为“男”或“女”"))
        if row.photo_ref is not None and (len(row.photo_ref) > 200 or _has_control(row.photo_ref)):
            errors.append(RowError(index, "photo_ref", "照片引用过长或含有不可见字符"))
        errors.extend(_score_errors(index, row, wanted, panel))
    return errors


def _score_errors(index: int, row: CandidateRow, wanted: set[str], panel: bool) -> list[RowError]:
    errors: list[RowError] = []
    given: Mapping[str, object] = row.panel if panel else row.scores
    other = row.scores if panel else row.panel
    if other:
        kind = "scores" if panel else "panel"
        errors.append(
            RowError(
                index,
                kind,
                "本批次由3名专家组成的评审组评分，请填写panel"
                if panel
                else "本批次由考评员评分，每科填写一个成绩（scores），不使用专家组评分",
            )
        )
    field_name = "panel" if panel else "scores"
    for subject in sorted(set(given) - wanted):
        errors.append(RowError(index, f"{field_name}.{subject}", "本批次不考核该科目"))
    for subject in sorted(wanted):
        if subject not in given:
            errors.append(RowError(index, f"{field_name}.{subject}", "缺少该科目成绩"))
            continue
        if panel:
            marks = row.panel[subject]
            if len(marks) != PANEL_SIZE:
                errors.append(RowError(index, f"panel.{subject}", f"专家组应有{PANEL_SIZE}名专家评分"))
            elif not all(_is_score(mark) for mark in marks):
                errors.append(RowError(index, f"panel.{subject}", "成绩应为0–100的整数"))
        elif not _is_score(row.scores[subject]):
            errors.append(RowError(index, f"scores.{subject}", "成绩应为0–100的整数"))
    return errors


def _is_score(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and MIN_SCORE <= value <= MAX_SCORE


def check_evaluation_held(today: date, evaluation_date: date, *, action_zh: str) -> None:
    """CR-4 (seed 001 二(四) 2→3): results exist, and are published, only once the evaluation has taken place.

    Decision: from the evaluation day itself, so that a one-day evaluation's results can be entered that evening.
    """
    if today < evaluation_date:
        raise Refusal(
            RULE_PUBLICITY,
            "evaluation_not_held",
            f"评价日期为{evaluation_date.isoformat()}，评价实施后（{evaluation_date.isoformat()}起）方可{action_zh}",
            status=409,
            extra={
                "evaluation_date": evaluation_date.isoformat(),
                "earliest_date": evaluation_date.isoformat(),
            },
        )


def check_issue_date(issue_date: date, evaluation_date: date) -> None:
    """CR-4 (seed 001 二(四) 4): a certificate never carries an issue date before its evaluation."""
    if issue_date < evaluation_date:
        raise Refusal(
            RULE_PUBLICITY,
            "issue_before_evaluation",
            f"发证日期{issue_date.isoformat()}早于评价日期{evaluation_date.isoformat()}，"
            f"{evaluation_date.isoformat()}起方可发证",
            status=409,
            extra={
                "evaluation_date": evaluation_date.isoformat(),
                "earliest_date": evaluation_date.isoformat(),
            },
        )


def publicity_ends_on(starts: date) -> date:
    """CR-4 / P-1: the publicity's last day, the 5th working day after ``starts``; approval from the day after.

    Reads every day up to that end (CalendarNotCovered when one is uncovered). No decision uses it: see
    :func:`check_may_object` and :func:`check_may_approve`.
    """
    return period_end(starts, PUBLICITY_WORKING_DAYS)


def publicity_known_end(starts: date) -> date | None:
    """The publicity's last day as answers show it, or None while the calendar does not cover it.

    Seed 001 二(四)3 asks for at least 5 working days of publicity; a publicity started on 28 December ends in
    January, a year whose holidays may not be published yet. Starting it, and every objection lodged in December,
    needs none of those days (P-3 refuses only a day an answer depends on), so the end is shown when known and
    null otherwise, never guessed, and is known without any write once the calendar covers that year.
    """
    try:
        return publicity_ends_on(starts)
    except CalendarNotCovered:
        return None


def publicity_end_shown(starts: date | None, recorded: date | None) -> date | None:
    """The end for answers: the recorded one, else computed from the start day when the calendar now covers it."""
    if recorded is not None or starts is None:
        return recorded
    return publicity_known_end(starts)


def _dates(starts: date, ends: date | None) -> dict[str, str | None]:
    return {"publicity_starts": starts.isoformat(), "publicity_ends": ends.isoformat() if ends else None}


def check_may_object(today: date, starts: date) -> None:
    """CR-4: objections are lodged during publicity, from its first day to the end of its 5th working day after.

    Decided by :func:`~skills_shared.workdays.within_period`, reading only the days between ``starts`` and
    ``today``: an objection on 30 December to a publicity started on 28 December is answered from December
    alone. Raises CalendarNotCovered when the answer needs an uncovered day.
    """
    if today < starts:
        raise Refusal(
            RULE_PUBLICITY,
            "not_in_publicity",
            f"公示尚未开始（{starts.isoformat()}开始）",
            status=409,
            extra=_dates(starts, publicity_known_end(starts)),
        )
    if not within_period(starts, PUBLICITY_WORKING_DAYS, today):
        ends = publicity_ends_on(starts)  # the period ended before today: every day up to its end was read
        raise Refusal(
            RULE_PUBLICITY,
            "not_in_publicity",
            f"公示期已于{ends.isoformat()}结束，不再受理异议",
            status=409,
            extra=_dates(starts, ends),
        )


def check_may_approve(today: date, starts: date) -> None:
    """CR-4 with P-1: results go to review only after publicity has ended, i.e. from the day after its last day.

    Decided by :func:`~skills_shared.workdays.period_over` (the days before ``today`` only). The refusal says
    from which day approval is accepted (``earliest_date``) when the calendar covers the end, and that it awaits
    the next year's calendar otherwise (``publicity_ends`` and ``earliest_date`` null). Raises
    CalendarNotCovered when the answer needs an uncovered day (approving in January a publicity started in
    late December, before that year is loaded).
    """
    if period_over(starts, PUBLICITY_WORKING_DAYS, today):
        return
    wait = period_not_over(starts, PUBLICITY_WORKING_DAYS, "公示期", "审核")
    raise Refusal(
        RULE_PUBLICITY,
        "publicity_not_ended",
        wait.detail,
        status=409,
        extra={
            **_dates(starts, wait.ends),
            "earliest_date": wait.earliest.isoformat() if wait.earliest else None,
        },
    )


BATCHES: StateMachine[BatchStatus] = StateMachine(
    "评价批次",
    moves={
        "upload": (frozenset({BatchStatus.DRAFT}), BatchStatus.DRAFT),
        "publicise": (frozenset({BatchStatus.DRAFT}), BatchStatus.PUBLICITY),
        "approve": (frozenset({BatchStatus.PUBLICITY}), BatchStatus.APPROVED),
        "issue": (frozenset({BatchStatus.APPROVED, BatchStatus.ISSUED}), BatchStatus.ISSUED),
    },
    actions_zh={
        "upload": "上传或修改成绩（公示开始后成绩不得更改）",
        "publicise": "开始公示",
        "approve": "审核（须在公示期结束后）",
        "issue": "发证（须经公示和审核）",
    },
    rule=RULE_PUBLICITY,
    states_zh={"draft": "草稿（待公示）", "publicity": "公示中", "approved": "已审核", "issued": "已发证"},
)
"""The batch state machine (CR-4 order: results → publicity → review → numbers). ``issue`` stays possible
after a first issue, for candidates whose objection was dismissed later."""
