"""Exception handlers: every error leaves as RFC 9457 problem+json, validation errors with field paths."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from skills_shared.logging import get_logger
from skills_shared.problems import PROBLEM_MEDIA_TYPE, FieldError, Problem

log = get_logger(__name__)

_ZH_MESSAGES = {
    "missing": "必填字段缺失",
    "string_too_long": "字符串过长",
    "string_too_short": "字符串过短",
    "string_pattern_mismatch": "格式不正确",
    "string_type": "应为字符串",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数（不允许小数）",
    "float_parsing": "应为数字",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "date_parsing": "日期格式不正确，应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式不正确，应为 YYYY-MM-DD",
    "date_type": "应为日期",
    "datetime_parsing": "时间格式不正确",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "json_invalid": "JSON 格式错误",
    "model_attributes_type": "应为对象",
    "dict_type": "应为对象",
    "list_type": "应为数组",
    "too_long": "条目过多",
    "too_short": "条目过少",
    "bool_parsing": "应为布尔值",
    "uuid_parsing": "应为 UUID",
    "extra_forbidden": "不允许的字段",
    "value_error": "取值无效",
}


def problem_response(problem: Problem, request: Request) -> Response:
    """Render a Problem with the request id."""
    request_id = request.scope.get("state", {}).get("request_id")
    headers = dict(problem.headers)
    return Response(
        orjson.dumps(problem.body(request_id)),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def validation_errors(errors: Any) -> list[FieldError]:
    """pydantic errors → field paths and Chinese reasons (custom validators already speak Chinese)."""
    out: list[FieldError] = []
    for err in errors:
        type_ = str(err.get("type", "value_error"))
        msg = str(err.get("msg", ""))
        if type_ in _ZH_MESSAGES and not any("\u4e00" <= ch <= "\u9fff" for ch in msg):
            ctx = err.get("ctx") or {}
            limits = ", ".join(
                f"{k}={v}"
                for k, v in ctx.items()
                if k in ("max_length", "min_length", "gt", "ge", "lt", "le", "expected", "pattern")
            )
            msg = _ZH_MESSAGES[type_] + (f"（{limits}）" if limits else "")
        out.append(
            FieldError(
                loc=[str(p) if not isinstance(p, int) else p for p in err.get("loc", ())], msg=msg, type=type_
            )
        )
    return out


def is_database_unavailable(exc: BaseException) -> bool:
    """A lost or refused database connection (restart, failover): the request may be retried, so 503, not 500.

    The pool is invalidated by SQLAlchemy on such an error, so the service heals on its own once the server is
    back; nothing was committed, because the unit of work rolls back on any exception.
    """
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    for cause in _causes(exc):
        if isinstance(
            cause,
            ConnectionError
            | asyncpg.PostgresConnectionError
            | asyncpg.CannotConnectNowError
            | asyncpg.AdminShutdownError,
        ):
            return True
        if isinstance(cause, OSError) and cause.errno is not None:
            return True
    return False


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception, SQLAlchemy's wrapped driver error and their causes, each once."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not s for s in seen):
        seen.append(current)
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return seen


def is_bad_data(exc: BaseException) -> bool:
    """The database refused a value (out of range, malformed, overflowing): the request was bad, so 422.

    Routes validate their inputs; this is the net under them, so that a value no route anticipated (an integer
    past 2**63 in a path, say) is still the client's error and never a 500.
    """
    return any(isinstance(c, asyncpg.DataError | OverflowError) for c in _causes(exc))


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on an app.

    Database failures get their own handlers rather than the catch-all: Starlette re-raises whatever reaches
    the catch-all (after answering 500), which is right for bugs and wrong for an outage or a bad value.
    """

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        return problem_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = validation_errors(exc.errors())
        first = errors[0] if errors else None
        detail = f"{'.'.join(str(p) for p in first.loc)}: {first.msg}" if first else "请求无效"
        return problem_response(
            Problem(422, "validation_failed", detail, title="Validation failed", errors=errors), request
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        codes = {404: ("not_found", "资源不存在"), 405: ("method_not_allowed", "不支持该请求方法")}
        code, detail = codes.get(exc.status_code, ("http_error", str(exc.detail)))
        return problem_response(
            Problem(exc.status_code, code, detail, headers=dict(exc.headers or {})), request
        )

    async def _database_error(request: Request, exc: Exception) -> Response:
        if is_bad_data(exc):
            log.info("database_refused_value", error=repr(exc)[:300], path=request.url.path)
            return problem_response(
                Problem(
                    422,
                    "value_out_of_range",
                    "请求中的数值或格式超出允许范围",
                    title="Validation failed",
                    errors=[
                        {"loc": ["request"], "msg": "数值或格式超出允许范围", "type": "value_out_of_range"}
                    ],
                ),
                request,
            )
        if is_database_unavailable(exc):
            log.warning("database_unavailable", error=repr(exc)[:300], path=request.url.path)
            return problem_response(
                Problem(
                    503, "database_unavailable", "数据库暂不可用，请稍后重试", headers={"Retry-After": "2"}
                ),
                request,
            )
        return _internal_error(request, exc)

    for kind in (
        DBAPIError,
        OSError,
        OverflowError,
        asyncpg.DataError,
        asyncpg.PostgresConnectionError,
        asyncpg.CannotConnectNowError,
    ):
        app.add_exception_handler(kind, _database_error)

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> Response:
        return _internal_error(request, exc)


def _internal_error(request: Request, exc: Exception) -> Response:
    """A 500 is a bug: log it with its traceback, answer without details."""
    log.error("unhandled_error", error=repr(exc), path=request.url.path, exc_info=exc)
    return problem_response(Problem(500, "internal_error", "服务器内部错误"), request)
