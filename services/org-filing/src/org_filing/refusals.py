"""Turning rule outcomes into problem+json answers: failed verdicts → 422 with rule, bad moves → 409 with state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from org_filing.applications.rules import IllegalTransition
from org_filing.verdicts import Verdict
from skills_shared.problems import FieldError, Problem

ACTION_ZH = {
    "edit": "修改",
    "submit": "提交",
    "withdraw": "撤回",
    "evaluate": "评估",
    "reject": "不予遴选",
    "publish": "公示",
    "file": "备案",
    "suspend": "暂停",
    "reinstate": "恢复",
    "cancel": "注销",
    "merge": "合并",
    "extend": "延期",
    "change_scope": "变更范围",
    "start": "开始处理",
    "substantiate": "认定属实",
    "dismiss": "认定不属实",
    "publish_inspection": "公布结果",
}


def illegal_move(exc: IllegalTransition, entity: str) -> Problem:
    """409 naming the current state, so the caller knows why the move was refused."""
    action = ACTION_ZH.get(exc.action, exc.action)
    return Problem(
        409,
        "illegal_state",
        f"{entity}当前状态为 {exc.current}，不能{action}",
        title="Illegal state transition",
        extra={"current_state": exc.current, "action": exc.action},
    )


def refused(
    verdicts: Sequence[Verdict],
    *,
    code: str,
    fields: Mapping[str, Sequence[str | int]] | None = None,
    loc_prefix: Sequence[str | int] = ("body",),
) -> Problem:
    """422 listing every failed verdict as a field error; `rule` is the first failed rule's ID.

    `fields` names the request field a check is about (e.g. the plan's ``starts_on`` for OF-5 timing), so the
    client can point at it; a check without a field is named by itself.
    """
    failed = [v for v in verdicts if v.failed]
    first = failed[0]
    where = fields or {}
    errors = [
        FieldError(loc=[*loc_prefix, *where.get(v.check, (v.check,))], msg=v.detail, type=v.check)
        for v in failed
    ]
    extra: dict[str, Any] = {
        "verdicts": [
            {"rule": v.rule, "check": v.check, "outcome": v.outcome, "detail": v.detail} for v in verdicts
        ]
    }
    return Problem(422, code, first.detail, rule=first.rule, errors=errors, extra=extra)
