"""Several refusals of one request as one answer, so a client learns every reason at once."""

from __future__ import annotations

from collections.abc import Sequence

from skills_shared.problems import FieldError
from skills_shared.refusals import Refusal


def combined(refusals: Sequence[Refusal]) -> Refusal:
    """One answer for several refusals: rule, code, status and detail of the first; every one as a field error,
    and the machine-readable facts of all of them (``latest_filing_date``…) as fields of the answer."""
    if not refusals:
        raise ValueError("combined needs at least one refusal")
    first = refusals[0]
    errors: list[FieldError] = []
    extra: dict[str, object] = {}
    for r in refusals:
        errors.extend(r.errors)
        for k, v in r.extra.items():
            extra.setdefault(k, v)
    extra["refusals"] = [{"rule": r.rule, "code": r.code, "detail": r.detail} for r in refusals]
    return Refusal(first.rule, first.code, first.detail, status=first.status, errors=errors, extra=extra)
