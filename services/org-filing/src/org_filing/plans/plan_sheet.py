"""A batch plan (OF-5) as an Excel workbook: the plan's items on a form sheet, then its candidates, assessors and
supervisors, each on a sheet of its own. The same `PlanIn` model and plan rules then apply as to JSON."""

from __future__ import annotations

import re
from typing import Any

from skills_shared.spreadsheet_routes import ListSheet, SheetUpload
from skills_shared.spreadsheets import Column


def levels_of(value: Any) -> Any:
    """Levels typed as "4,5", "4、5" or "4 5" (or one number) as a list; anything else for the model to refuse."""
    text = str(value).strip()
    parts = [p for p in re.split(r"[,，、\s]+", text) if p]
    if parts and all(p.isdigit() for p in parts):
        return [int(p) for p in parts]
    return value


def yes_no(value: Any) -> Any:
    """是/否 as a boolean; anything else for the model to refuse."""
    return {"是": True, "否": False}.get(str(value).strip(), value)


def _people(title: str, with_role: bool) -> tuple[Column, ...]:
    columns: tuple[Column, ...] = (
        Column("name", "姓名", note=f"{title}姓名", example="张某某", required=True),
        Column(
            "id_number",
            "身份证号",
            width=22,
            note="18位公民身份号码，末位X大写",
            example="500101198001010013",
            required=True,
        ),
    )
    if with_role:
        columns += (Column("role", "职责", note="如 考评员、督导员、现场负责人（选填）", example="考评员"),)
    return columns


PLAN_FORM = (
    Column(
        "name",
        "计划名称",
        note="贯通计划须含“贯通”",
        example="2026年第三批电工职业技能等级认定",
        required=True,
    ),
    Column("is_guantong", "是否贯通", note="是 或 否，默认否", example="否", from_cell=yes_no),
    Column("occupation_code", "职业编码", note="如 6-31-01-03", example="6-31-01-03", required=True),
    Column("work_type", "工种", note="有工种时填写", example="维修电工"),
    Column(
        "levels", "等级", note="1–5，多个用逗号或顿号隔开", example="4、5", required=True, from_cell=levels_of
    ),
    Column(
        "starts_on",
        "开始日期",
        "date",
        note="至少在此日期前10个工作日报备",
        example="2026-09-17",
        required=True,
    ),
    Column("ends_on", "结束日期", "date", example="2026-09-18", required=True),
    Column("venue", "评价地点", example="重庆市渝中区某实训楼三楼", required=True),
    Column("sessions", "场次", "int", example=2, required=True),
    Column("method", "评价方式", example="理论知识考试 + 技能操作考核", required=True),
)

PLAN_SHEET = SheetUpload(
    title="参评人员",
    columns=_people("参评人员", with_role=False),
    list_path=("candidates",),
    also=(
        ListSheet("考评人员", _people("考评人员", with_role=True), ("assessors",)),
        ListSheet("督导人员", _people("督导人员", with_role=True), ("supervisors",)),
    ),
    form=("计划信息", PLAN_FORM),
)
