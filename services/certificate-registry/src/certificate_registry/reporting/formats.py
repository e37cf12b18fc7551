"""Export formats for upward reporting: CSV (UTF-8 with BOM, Chinese headers), .xlsx and JSON Lines.

The files are for offices: Chinese headers, levels, ways of obtaining and states by name, dates as dates.
JSON Lines is for machines and keeps the column names and codes of the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import orjson

from certificate_registry.reporting.repository import EXPORT_COLUMNS
from skills_shared import spreadsheets
from skills_shared.reference import SkillLevel
from skills_shared.spreadsheets import Column, Table

REPORT_COLUMNS = (
    Column("number", "证书编号"),
    Column("holder_name", "姓名"),
    Column("id_number", "身份证号码"),
    Column("gender", "性别"),
    Column("occupation_code", "职业编码"),
    Column("occupation_name", "职业名称"),
    Column("work_type", "工种"),
    Column("level_name", "等级"),
    Column("issue_date", "发证日期", "date"),
    Column("body_code", "评价机构代码"),
    Column("body_name", "评价机构名称"),
    Column("obtained_by_name", "取得方式"),
    Column("status_name", "证书状态"),
    Column("revoked_on", "撤销日期", "date"),
)
OBTAINED_BY_NAMES = {
    "evaluation": "职业技能评价",
    "direct_recognition": "直接认定",
    "competition": "职业技能竞赛",
}
STATUS_NAMES = {"valid": "有效", "revoked": "已撤销"}


def report_row(record: Any) -> dict[str, Any]:
    """A database row (an asyncpg record or a dict) with the names an office reads beside its codes."""
    row: Mapping[str, Any] = dict(record)
    level = row["level"]
    return {
        **row,
        "level_name": SkillLevel(level).zh if level else "——",
        "obtained_by_name": OBTAINED_BY_NAMES.get(row["obtained_by"], row["obtained_by"]),
        "status_name": STATUS_NAMES.get(row["status"], row["status"]),
    }


def csv_header() -> bytes:
    return (spreadsheets.BOM + spreadsheets.csv_header(REPORT_COLUMNS)).encode("utf-8")


def csv_line(row: Any) -> bytes:
    return spreadsheets.csv_row(REPORT_COLUMNS, report_row(row)).encode("utf-8")


def report_xlsx(rows: Iterable[Any], start: date, end: date) -> bytes:
    title = f"证书发放情况（{start.isoformat()}至{end.isoformat()}）"
    return spreadsheets.xlsx_bytes(Table(title, REPORT_COLUMNS, [report_row(r) for r in rows]))


COUNT_COLUMNS = (
    Column("body_code", "评价机构代码"),
    Column("body_name", "评价机构名称"),
    Column("occupation_code", "职业编码"),
    Column("occupation_name", "职业名称"),
    Column("level_name", "等级"),
    Column("year", "年度", "int"),
    Column("issued", "发证数（本）", "int"),
    Column("revoked", "其中已撤销（本）", "int"),
)


def counts_table(rows: Iterable[Any], start: date, end: date) -> Table:
    """The counts by body, occupation, level and year, levels by name."""
    out = []
    for record in rows:
        row = dict(record)
        out.append({**row, "level_name": SkillLevel(row["level"]).zh if row["level"] else "——"})
    return Table(f"证书发放统计（{start.isoformat()}至{end.isoformat()}）", COUNT_COLUMNS, out)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def jsonl_line(row: Any) -> bytes:
    return orjson.dumps({column: _plain(row[column]) for column in EXPORT_COLUMNS}) + b"\n"
