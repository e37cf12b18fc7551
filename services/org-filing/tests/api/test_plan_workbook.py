"""Issue 18 item 4, org-filing: a batch plan and its candidates as the .xlsx template filled in; every bad cell
named by sheet, row and column, nothing stored; a type the route does not take is 415."""

from __future__ import annotations

import io
from typing import Any

import httpx
import xlsxwriter
from of_factories import TODAY, applicant, filed_body, resident_id
from python_calamine import CalamineWorkbook
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.spreadsheets import XLSX_MEDIA
from skills_shared.workdays import add_working_days

PEOPLE = ["姓名", "身份证号"]
STAFF = ["姓名", "身份证号", "职责"]


def workbook(form: dict[str, Any], sheets: dict[str, list[list[Any]]]) -> bytes:
    """A plan as an office fills in the template: the form sheet, then one sheet per list."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    info = book.add_worksheet("计划信息")
    info.write_row(0, 0, ["项目", "内容"])
    for row, (item, value) in enumerate(form.items(), start=1):
        info.write_string(row, 0, item)
        if value is not None:
            info.write(row, 1, value)
    for title, rows in sheets.items():
        ws = book.add_worksheet(title)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                if value is not None:
                    ws.write(r, c, value)
    book.close()
    return buffer.getvalue()


def form(**changes: Any) -> dict[str, Any]:
    starts = add_working_days(TODAY, 12).isoformat()
    base: dict[str, Any] = {
        "计划名称": "2026年第一批电工认定",
        "是否贯通": "否",
        "职业编码": "6-31-01-03",
        "工种": "维修电工",
        "等级": "4、5",
        "开始日期": starts,
        "结束日期": starts,
        "评价地点": "实训楼",
        "场次": 2,
        "评价方式": "理论知识考试 + 技能操作考核",
    }
    base.update(changes)
    return base


def lists(
    candidates: list[list[Any]] | None = None, assessors: list[list[Any]] | None = None
) -> dict[str, Any]:
    return {
        "参评人员": [PEOPLE, *(candidates or [["张某某", resident_id()], ["李某某", resident_id()]])],
        "考评人员": [STAFF, *(assessors or [["王某某", resident_id(), "考评员"]])],
        "督导人员": [STAFF, ["赵某某", resident_id(), "督导员"]],
    }


async def _plans(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM plans"))).scalar_one())


async def test_the_template_names_every_item_and_sheet(client: httpx.AsyncClient) -> None:
    code, _, _ = await filed_body(client, valid_from=TODAY.isoformat())
    r = await client.get("/v1/templates/batch-plan.xlsx", headers=applicant(code))
    assert r.status_code == 200 and r.headers["content-type"] == XLSX_MEDIA
    book = CalamineWorkbook.from_filelike(io.BytesIO(r.content))
    assert book.sheet_names == ["计划信息", "参评人员", "考评人员", "督导人员", "填写说明"]
    items = [row[0] for row in book.get_sheet_by_name("计划信息").to_python()[1:]]
    assert items == list(form())
    assert book.get_sheet_by_name("参评人员").to_python() == [PEOPLE]


async def test_a_filled_in_workbook_files_the_plan(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    code, _, _ = await filed_body(client, valid_from=TODAY.isoformat())
    r = await client.post(
        f"/v1/bodies/{code}/plans",
        content=workbook(form(), lists()),
        headers={**applicant(code), "Content-Type": XLSX_MEDIA},
    )
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["candidate_count"] == 2 and out["levels"] == [4, 5] and out["work_type"] == "维修电工"
    assert await _plans(engine) == 1


async def test_every_bad_cell_on_every_sheet_is_named_and_nothing_is_stored(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    code, _, _ = await filed_body(client, valid_from=TODAY.isoformat())
    bad_id = resident_id()[:-1] + "Z"
    sheet = workbook(
        form(开始日期="九月", 场次="两场"),
        lists(
            candidates=[["张某某", resident_id()], ["李某某", bad_id]],  # row 3 of 参评人员
            assessors=[[None, resident_id(), "考评员"]],  # row 2 of 考评人员
        ),
    )
    r = await client.post(
        f"/v1/bodies/{code}/plans", content=sheet, headers={**applicant(code), "Content-Type": XLSX_MEDIA}
    )
    assert r.status_code == 422, r.text
    named = {tuple(e["loc"]) for e in r.json()["errors"]}
    assert {
        ("file", "计划信息", 7, "内容"),
        ("file", "计划信息", 10, "内容"),
        ("file", "参评人员", 3, "身份证号"),
        ("file", "考评人员", 2, "姓名"),
    } <= named, r.json()
    missing_sheet = await client.post(
        f"/v1/bodies/{code}/plans",
        content=workbook(form(), {"参评人员": [PEOPLE]}),
        headers={**applicant(code), "Content-Type": XLSX_MEDIA},
    )
    assert missing_sheet.status_code == 422
    assert missing_sheet.json()["errors"][0]["loc"] == ["file", "考评人员"]
    assert await _plans(engine) == 0


async def test_a_type_the_route_does_not_take_is_415(client: httpx.AsyncClient) -> None:
    code, _, _ = await filed_body(client, valid_from=TODAY.isoformat())
    r = await client.post(
        f"/v1/bodies/{code}/plans",
        content=b"<plan/>",
        headers={**applicant(code), "Content-Type": "text/xml"},
    )
    assert r.status_code == 415
    assert r.json()["accepted"] == ["application/json", XLSX_MEDIA]
