"""Export line formats for upward reporting: CSV (UTF-8 with BOM) and JSON Lines."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import orjson

from certificate_registry.reporting.repository import EXPORT_COLUMNS


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def csv_header() -> bytes:
    return ("\ufeff" + csv_line(EXPORT_COLUMNS)).encode("utf-8")


def csv_line(values: Any) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(["" if v is None else _plain(v) for v in values])
    return buffer.getvalue()


def jsonl_line(row: Any) -> bytes:
    return orjson.dumps({column: _plain(row[column]) for column in EXPORT_COLUMNS}) + b"\n"
