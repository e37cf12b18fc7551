"""Turns a rule's verdict into the suite's problem+json answer."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from skills_shared.errors import problem_response
from skills_shared.problems import FieldError, Problem
from voucher.errors import RuleViolation


def problem_of(violation: RuleViolation) -> Problem:
    """Same status, code, Chinese detail and rule ID; the field, when the rule named one, under ``errors``."""
    errors = (
        [FieldError(loc=["body", violation.field], msg=violation.detail, type=violation.code)]
        if violation.field
        else None
    )
    return Problem(violation.status, violation.code, violation.detail, rule=violation.rule, errors=errors)


async def rule_violation_handler(request: Request, exc: Exception) -> Response:
    """Exception handler registered on the app for RuleViolation."""
    assert isinstance(exc, RuleViolation)
    return problem_response(problem_of(exc), request)
