"""Every log line of a process as one JSON object, through one masking processor.

structlog's `ProcessorFormatter` sits on the root handler, so our own structlog calls and every standard-library
logger — uvicorn, SQLAlchemy, httpx, asyncpg, pyreqwest — come out the same way: JSON with the time, level,
logger, service, request ID, trace ID and route of the request being served. Before anything is rendered,
`mask_personal_data` rewrites every string in the line (the message, every field, a formatted traceback):

- 18-character resident ID numbers keep their first three and last four characters (GB 11643 shape);
- mainland mobile numbers keep their first three and last four digits; landline numbers keep the area code;
- bank-card and account numbers (16–19 digits, or 10–15 digits under an account-like key) keep the last four;
- every value in a query string becomes ``***`` (look-ups carry names and ID numbers in the query).

Personal data in a log is a reportable incident under PIPL (issue 19); one processor that every line passes is
the only place that has to be right. The access log (`RequestContextMiddleware`) adds one line per request with
method, route, status and duration.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import logging
import re
import sys
import threading
from collections.abc import Callable, MutableMapping
from contextvars import ContextVar
from typing import Any, ClassVar

import orjson
import structlog

_EDGE_BEFORE = r"(?<![0-9A-Za-z])"
_EDGE_AFTER = r"(?![0-9A-Za-z])"
_PERSONAL = re.compile(
    r"(?P<query>[?&][^=&#\s\"']{1,100}=)[^&#\s\"']+"
    rf"|{_EDGE_BEFORE}(?P<id_head>\d{{3}})\d{{11}}(?P<id_tail>\d{{3}}[\dXx]){_EDGE_AFTER}"
    rf"|{_EDGE_BEFORE}(?P<cc>\+?86[- ]?)?(?P<mobile_head>1[3-9]\d)[- ]?\d{{4}}[- ]?"
    rf"(?P<mobile_tail>\d{{4}}){_EDGE_AFTER}"
    rf"|{_EDGE_BEFORE}(?P<area>0\d{{2,3}})-\d{{7,8}}{_EDGE_AFTER}"
    rf"|{_EDGE_BEFORE}\d{{12,15}}(?P<long_tail>\d{{4}}){_EDGE_AFTER}"
)
"""One pass over a string for every pattern: query values, ID numbers, mobiles, landlines, long numbers."""
_ACCOUNT_KEY = re.compile(r"(account|card|bank|账号|卡号)", re.IGNORECASE)
_ACCOUNT_DIGITS = re.compile(r"\d{10,19}")
_WORTH_A_LOOK = re.compile(rf"{_EDGE_BEFORE}\+?\d(?=[\d -]{{6}})")
"""Where a match of `_PERSONAL` other than a query value could begin: every one of them starts, after an edge,
with a digit (or ``+`` and a digit) followed by at least six more characters that are digits, spaces or hyphens.
A string without such a place (or ``=``) cannot hold anything to mask, so most strings of a line are passed over
after this one search: event names, routes, request IDs, and a certificate number inside a path, whose digits
follow a letter. ``test_logging`` checks the implication on generated strings."""
_OURS = frozenset({"timestamp", "level", "logger", "route", "method", "status", "duration_ms", "service"})
"""Fields this module and the access log fill with values of their own making (never a caller's text)."""


def _masked(match: re.Match[str]) -> str:
    if match.group("query") is not None:
        return match.group("query") + "***"
    if match.group("id_head") is not None:
        return match.group("id_head") + "*" * 11 + match.group("id_tail")
    if match.group("mobile_head") is not None:
        return (match.group("cc") or "") + match.group("mobile_head") + "****" + match.group("mobile_tail")
    if match.group("area") is not None:
        return match.group("area") + "-********"
    return "*" * (len(match.group(0)) - 4) + match.group("long_tail")


NOISY_LOGGERS: dict[str, int] = {
    "uvicorn": logging.INFO,
    "uvicorn.error": logging.INFO,
    "sqlalchemy": logging.WARNING,
    "sqlalchemy.engine": logging.WARNING,
    "asyncpg": logging.WARNING,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "pyreqwest": logging.WARNING,
    "alembic": logging.INFO,
}
"""Standard-library loggers routed through our handler (their own handlers removed), with a floor level: httpx
logs every request at INFO, which the access lines already cover."""

_scope: ContextVar[MutableMapping[str, Any] | None] = ContextVar("skills_log_scope", default=None)
_service_default = "service"


def worth_a_look(text: str) -> bool:
    """Whether ``text`` may hold something `mask_text` rewrites (false means it certainly does not)."""
    return "=" in text or (len(text) >= 7 and _WORTH_A_LOOK.search(text) is not None)


def mask_text(text: str) -> str:
    """``text`` with ID numbers, phone numbers, long account numbers and query-string values masked."""
    if not worth_a_look(text):
        return text
    return _PERSONAL.sub(_masked, text)


@functools.lru_cache(maxsize=4096)
def _account_like(key: str) -> bool:
    """Whether a field's name says it holds an account number; field names repeat, so each is searched once."""
    return _ACCOUNT_KEY.search(key) is not None


def _mask_value(key: str, value: Any) -> Any:
    if isinstance(value, str):
        masked = mask_text(value)
        if _account_like(key):
            masked = _ACCOUNT_DIGITS.sub(lambda m: "*" * (len(m.group(0)) - 4) + m.group(0)[-4:], masked)
        return masked
    if isinstance(value, dict):
        return {k: _mask_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_value(key, v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and value >= 10**9:
        return _mask_value(key, str(value))
    return value


def mask_personal_data(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """The one masking processor: every string anywhere in the line, after tracebacks are formatted."""
    for key, value in list(event_dict.items()):
        if key not in _OURS:
            event_dict[key] = _mask_value(str(key), value)
    return event_dict


def bind_request_scope(scope: MutableMapping[str, Any] | None) -> None:
    """Remember the ASGI scope of the request being served, so lines name its route once it is routed."""
    _scope.set(scope)


def _add_request_fields(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Service, route and trace ID on every line (the request ID comes from the bound context variables)."""
    event_dict.setdefault("service", _service_default)
    scope = _scope.get()
    if scope is not None and "route" not in event_dict:
        route = scope.get("route")
        template = getattr(route, "path", None)
        if template:
            event_dict["route"] = template
    if "trace_id" not in event_dict:
        trace_id = _otel_trace_id()
        if trace_id:
            event_dict["trace_id"] = trace_id
    return event_dict


def _otel_trace_id() -> str | None:
    """The current OpenTelemetry trace ID, when tracing is on and a span is active."""
    module = sys.modules.get("opentelemetry.trace")
    if module is None:
        return None
    context = module.get_current_span().get_span_context()
    return f"{context.trace_id:032x}" if context.is_valid else None


def _dumps(value: Any, **_: Any) -> str:
    """orjson, several times faster than the standard library's encoder; anything it cannot encode as text."""
    return orjson.dumps(value, default=str).decode()


def _shared_processors() -> list[Callable[..., Any]]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_request_fields,
    ]


class _OurHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler this module installs, so configuring again replaces it instead of adding another."""


FLUSH_AFTER_S = 0.05
"""How long a line may wait in the output buffer while the event loop serves requests."""


class _StdoutLogger:
    """The end of our own lines: one write of the rendered line to whatever ``sys.stdout`` is at the time.

    structlog's own lines do not pass through the standard library's ``logging`` (a LogRecord, the handler's
    lock, a second pass of the processors in ``ProcessorFormatter``): that machinery cost about 90 µs per access
    line, more than half of what a whole look-up costs the registry. They pass the same processors, the masking
    one included (`_final_processors`), so the two roads write the same JSON. ``sys.stdout`` is looked up per
    line, as ``print`` does, so a logger made before a test captured the output writes into the capture.

    Flushing is coalesced: inside a running event loop the first line schedules one flush `FLUSH_AFTER_S` later
    and the lines written meanwhile go out with it, so a busy service makes one write system call per batch
    instead of one per access line (5 % of the gateway's look-up CPU in py-spy went to those flushes). Outside a
    loop (start-up, commands, shutdown), and for warnings and errors, every line is flushed at once. A process
    killed outright can lose at most the last `FLUSH_AFTER_S` of info lines; the interpreter's exit flushes the
    rest."""

    __slots__ = ("name",)
    _lock = threading.Lock()
    _loop: ClassVar[asyncio.AbstractEventLoop | None] = None
    """The event loop with a flush scheduled, if any."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name or "root"

    def _write(self, message: str, *, urgent: bool) -> None:
        cls = type(self)
        with self._lock:
            out = sys.stdout
            out.write(message + "\n")
            if urgent:
                out.flush()
                return
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                out.flush()
                return
            if cls._loop is loop:
                return  # this loop's scheduled flush takes the line too
            if cls._loop is not None:
                out.flush()  # scheduled on another loop, which may have stopped before running it
            cls._loop = loop
        loop.call_later(FLUSH_AFTER_S, cls._flush, loop)

    @classmethod
    def _flush(cls, loop: asyncio.AbstractEventLoop) -> None:
        with cls._lock:
            if cls._loop is loop:
                cls._loop = None
            with contextlib.suppress(ValueError):  # the stream was closed meanwhile (a test's capture ended)
                sys.stdout.flush()

    def msg(self, message: str) -> None:
        self._write(message, urgent=False)

    def urgent(self, message: str) -> None:
        self._write(message, urgent=True)

    debug = info = msg
    warning = warn = error = critical = exception = fatal = log = urgent


_level = logging.INFO
"""The process's level for our own lines; read per line, so configuring again takes effect at once."""


def _at_level(_: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Drop a line below the configured level (the standard library's loggers have their own levels)."""
    if _LEVELS.get(method_name, logging.INFO) < _level:
        raise structlog.DropEvent
    return event_dict


_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "warn": logging.WARNING,
    "error": logging.ERROR,
    "exception": logging.ERROR,
    "critical": logging.CRITICAL,
    "fatal": logging.CRITICAL,
}


def _final_processors(json: bool) -> list[Callable[..., Any]]:
    """Tracebacks formatted, then the one masking processor, then the renderer: the same for both roads."""
    renderer: Any = (
        structlog.processors.JSONRenderer(serializer=_dumps)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return [structlog.processors.format_exc_info, mask_personal_data, renderer]


def _write_in_batches() -> None:
    """Stop the process's standard output from writing through on every line.

    Containers run Python with ``PYTHONUNBUFFERED=1`` (deploy/Dockerfile), which makes every write to
    ``sys.stdout`` a system call of its own; the coalesced flush of `_StdoutLogger` only pays off when the stream
    holds lines until it is flushed. Only the real standard output is changed (a test's capture stays as it is),
    and a terminal keeps its line buffering. Whatever else prints to it goes out with the next flush (at most
    `FLUSH_AFTER_S` later while a service runs; at once from the standard library's handler, which flushes per
    record; at exit)."""
    out = sys.stdout
    if out is sys.__stdout__ and isinstance(out, io.TextIOWrapper) and out.write_through:
        out.reconfigure(write_through=False)


def configure_logging(level: str = "INFO", *, json: bool = True, service: str = "service") -> None:
    """Route structlog and the standard library through the same processors to JSON with masking (idempotent)."""
    global _service_default, _level
    _service_default = service
    numeric = logging.getLevelName(level.upper())
    _level = numeric if isinstance(numeric, int) else logging.INFO
    structlog.configure(
        processors=[
            _at_level,
            *_shared_processors(),
            *_final_processors(json),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.NOTSET),
        logger_factory=_StdoutLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_shared_processors(), structlog.stdlib.ExtraAdder()],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *_final_processors(json)],
    )
    _write_in_batches()
    handler = _OurHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric)
    logging.captureWarnings(True)  # warnings, too, are lines of this process: same format, same masking
    # The app's own access line (status, duration, route) replaces uvicorn's, which would only repeat it.
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers.clear()
    uvicorn_access.propagate = False
    for name, floor in NOISY_LOGGERS.items():
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
        logger.setLevel(max(floor, numeric) if isinstance(numeric, int) else floor)


def get_logger(name: str | None = None) -> Any:
    """A bound structlog logger."""
    return structlog.get_logger(name)
