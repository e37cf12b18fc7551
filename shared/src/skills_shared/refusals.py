"""The one way a domain rule says no, in every service.

A rule that refuses raises :class:`Refusal`: the DOMAIN.md rule ID that decided, a stable snake_case code, the
request field it is about, and a zh-CN detail that tells the client when or how the request would be accepted.
It is a :class:`~skills_shared.problems.Problem`, so the shared error handler renders it as problem+json with no
per-service glue; pure rule modules raise it without importing anything from FastAPI.

Rules that weigh several checks at once (an application's OF-2 eligibility, a claim's CQ/SH checks) report
:class:`Verdict` values and turn the failed ones into one Refusal with :func:`refuse_verdicts`, so the client
sees every failed check, each with its rule, and not only the first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from skills_shared.problems import FieldError, Problem

Outcome = Literal["pass", "fail", "exempt", "undetermined"]


class Refusal(Problem):
    """A domain rule refused the request: rule ID, code, field and a Chinese reason (422 unless said otherwise).

    ``field`` is the path of the request member the rule is about, e.g. ``("body", "starts_on")``; it becomes the
    problem's ``errors[0].loc`` so a client can point at it. ``extra`` carries machine-readable facts the client
    needs to act (``latest_filing_date``, ``current_state``…), never only inside the prose.
    """

    def __init__(
        self,
        rule: str | None,
        code: str,
        detail: str,
        *,
        field: Sequence[str | int] | None = None,
        status: int = 422,
        errors: Sequence[FieldError | Mapping[str, Any]] | None = None,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        title: str | None = None,
    ) -> None:
        found = list(errors or [])
        if field is not None and not found:
            found = [FieldError(loc=list(field), msg=detail, type=code)]
        super().__init__(
            status,
            code,
            detail,
            title=title or ("Conflict" if status == 409 else "Refused by rule"),
            rule=rule,
            errors=found,
            headers=headers,
            extra=extra,
        )
        self.field = tuple(field) if field is not None else None


@dataclass(frozen=True, slots=True)
class Verdict:
    """One check's decision, named by its rule, so every refusal can be traced to the clause that made it."""

    rule: str
    check: str
    outcome: Outcome
    detail: str

    @property
    def failed(self) -> bool:
        return self.outcome == "fail"


def any_failed(verdicts: Sequence[Verdict]) -> bool:
    """True when at least one verdict refuses; 'undetermined' is left to an officer's judgement."""
    return any(v.failed for v in verdicts)


def refuse_verdicts(
    verdicts: Sequence[Verdict],
    *,
    code: str,
    fields: Mapping[str, Sequence[str | int]] | None = None,
    loc_prefix: Sequence[str | int] = ("body",),
    status: int = 422,
) -> Refusal:
    """One Refusal listing every failed verdict as a field error; ``rule`` is the first failed rule's ID.

    ``fields`` maps a check to the request field it is about; a check without one is named by itself. All
    verdicts (passed ones too) travel in ``verdicts`` so the client sees the whole decision.
    """
    failed = [v for v in verdicts if v.failed]
    if not failed:
        raise ValueError("refuse_verdicts needs at least one failed verdict")
    where = fields or {}
    errors = [
        FieldError(loc=[*loc_prefix, *where.get(v.check, (v.check,))], msg=v.detail, type=v.check)
        for v in failed
    ]
    extra = {
        "verdicts": [
            {"rule": v.rule, "check": v.check, "outcome": v.outcome, "detail": v.detail} for v in verdicts
        ]
    }
    return Refusal(failed[0].rule, code, failed[0].detail, errors=errors, extra=extra, status=status)
