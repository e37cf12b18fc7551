"""RFC 9457 problem+json: the one error shape every service and the gateway speak."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel, Field

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://skills.example.gov.cn/problems/"


class FieldError(BaseModel):
    """One invalid field: where it is (path from the body root) and why it was refused."""

    loc: list[str | int] = Field(
        description="Path to the field, e.g. ['body', 'candidates', 3, 'id_number']."
    )
    msg: str = Field(description="Why, in Chinese where a citizen reads it.")
    type: str = Field(description="Stable machine code of the reason.")


class ProblemModel(BaseModel):
    """The documented body of every error response."""

    type: str = Field(description="URI naming the kind of problem.")
    title: str = Field(description="Short English summary, stable per code.")
    status: int
    detail: str = Field(description="What happened, zh-CN where it reaches a citizen.")
    code: str = Field(description="Stable snake_case identifier of the problem.")
    rule: str | None = Field(default=None, description="DOMAIN.md rule ID that decided, when one did.")
    errors: list[FieldError] | None = None
    request_id: str | None = None


class Problem(Exception):
    """Raise anywhere in a request to answer with a problem+json body; never a 500."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        title: str | None = None,
        rule: str | None = None,
        errors: Sequence[FieldError | Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.rule = rule
        self.errors = [e if isinstance(e, FieldError) else FieldError.model_validate(e) for e in errors or []]
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def body(self, request_id: str | None = None) -> dict[str, Any]:
        """The JSON body, with optional members left out rather than null."""
        out: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if self.rule:
            out["rule"] = self.rule
        if self.errors:
            out["errors"] = [e.model_dump() for e in self.errors]
        if request_id:
            out["request_id"] = request_id
        out.update(self.extra)
        return out


def not_found(code: str, detail: str, **kw: Any) -> Problem:
    """404 with a stable code."""
    return Problem(404, code, detail, **kw)


def conflict(code: str, detail: str, **kw: Any) -> Problem:
    """409: the request is well formed but the current state forbids it."""
    return Problem(409, code, detail, **kw)


def forbidden(detail: str = "无权访问该资源", code: str = "forbidden", **kw: Any) -> Problem:
    """403 for a principal that is known but not allowed."""
    return Problem(403, code, detail, **kw)


def unprocessable(code: str, detail: str, **kw: Any) -> Problem:
    """422 for a semantically invalid request."""
    return Problem(422, code, detail, **kw)


def field_problem(loc: Sequence[str | int], msg: str, type_: str, *, rule: str | None = None) -> Problem:
    """A 422 that names exactly one bad field."""
    return Problem(
        422,
        "validation_failed",
        msg,
        title="Validation failed",
        rule=rule,
        errors=[FieldError(loc=list(loc), msg=msg, type=type_)],
    )


_DESCRIPTIONS = {
    400: "Malformed request.",
    401: "Missing or invalid bearer token.",
    403: "Authenticated but not allowed (role, scope or object).",
    404: "No such resource.",
    409: "Conflict with the current state, or the same Idempotency-Key still in flight.",
    413: "Request body too large.",
    415: "Unsupported content type.",
    422: "Validation failed; `errors` names every bad field.",
    429: "Too many requests; see Retry-After.",
    503: "A dependency is unavailable; see Retry-After.",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting problem+json answers for the given statuses."""
    return {
        s: {
            "model": ProblemModel,
            "description": _DESCRIPTIONS.get(s, HTTPStatus(s).phrase),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemModel"}}},
        }
        for s in statuses
    }


STANDARD_ERRORS: tuple[int, ...] = (401, 403, 422)
"""Statuses every authenticated route can answer with."""
