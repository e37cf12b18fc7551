"""The 获证人员名册 (seed 002 六(五)) as a file: generated together with the numbers, one line per certificate.

CSV (UTF-8 with a byte-order mark, so spreadsheet programs used by HR offices open the Chinese correctly) or
.xlsx, both from the one column list below (`skills_shared.spreadsheets`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from certificate_registry.certificates.schemas import RosterEntry, RosterOut
from skills_shared.spreadsheets import Column, Table, csv_bytes

ROSTER_COLUMNS = (
    Column("index", "序号", "int"),
    Column("number", "证书编号"),
    Column("name", "姓名"),
    Column("gender", "性别"),
    Column("id_number", "身份证号码"),
    Column("occupation_code", "职业编码"),
    Column("occupation_name", "职业名称"),
    Column("work_type", "工种"),
    Column("level_name", "等级"),
    Column("issue_date", "发证日期", "date"),
)
CSV_HEADER = tuple(c.header for c in ROSTER_COLUMNS)


def _rows(entries: Sequence[RosterEntry]) -> list[dict[str, Any]]:
    return [{"index": i, **e.model_dump()} for i, e in enumerate(entries, start=1)]


def roster_csv(entries: Sequence[RosterEntry]) -> bytes:
    return csv_bytes(ROSTER_COLUMNS, _rows(entries))


def roster_table(roster: RosterOut) -> Table:
    """The roster sheet, titled with the body's name."""
    return Table(f"获证人员名册（{roster.body_name}）", ROSTER_COLUMNS, _rows(roster.entries))
