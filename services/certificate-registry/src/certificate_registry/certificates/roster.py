"""The 获证人员名册 (seed 002 六(五)) as CSV: generated together with the numbers, one line per certificate."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from certificate_registry.certificates.schemas import RosterEntry

CSV_HEADER = (
    "序号",
    "证书编号",
    "姓名",
    "性别",
    "身份证号码",
    "职业编码",
    "职业名称",
    "工种",
    "等级",
    "发证日期",
)


def roster_csv(entries: Sequence[RosterEntry]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs used by HR offices open the Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for index, entry in enumerate(entries, start=1):
        writer.writerow(
            (
                index,
                entry.number,
                entry.name,
                entry.gender,
                entry.id_number,
                entry.occupation_code,
                entry.occupation_name,
                entry.work_type,
                entry.level_name,
                entry.issue_date.isoformat(),
            )
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
