"""The targets dashboard (V-8) as a table an office files: one row per district by name, then the city."""

from __future__ import annotations

from typing import Any

from skills_shared.spreadsheets import Column, Table
from voucher.targets.schemas import DashboardOut

COLUMNS = (
    Column("district_name", "区县"),
    Column("target_used", "目标（张）", "int"),
    Column("issued", "已发放（张）", "int"),
    Column("claimed", "已领取（张）", "int"),
    Column("used", "已使用（张）", "int"),
    Column("used_percent", "目标完成率（%）", "number"),
    Column("target_met", "是否完成目标"),
)


def targets_table(out: DashboardOut) -> Table:
    """Districts in 表2 order (each target is its 附件1 usage target), then a 全市合计 row (the sum of 附件1)
    and the two V-8 city goals, issue and use, each against what was issued or used."""
    rows: list[dict[str, Any]] = [
        {**d.model_dump(), "used_percent": round(d.used_percent, 1)} for d in out.districts
    ]
    total_percent = round(100 * out.used / out.target_used_total, 1) if out.target_used_total else 0.0
    rows.append(
        {
            "district_name": "全市合计",
            "target_used": out.target_used_total,
            "issued": out.issued,
            "claimed": out.claimed,
            "used": out.used,
            "used_percent": total_percent,
            "target_met": out.used >= out.target_used_total,
        }
    )
    rows.append(
        {
            "district_name": "全市发放目标",
            "target_used": out.issue_goal,
            "issued": out.issued,
            "target_met": out.issue_goal_met,
        }
    )
    rows.append(
        {
            "district_name": "全市使用目标",
            "target_used": out.use_goal,
            "used": out.used,
            "target_met": out.use_goal_met,
        }
    )
    return Table(f"{out.year}年培训券目标完成情况", COLUMNS, rows)
