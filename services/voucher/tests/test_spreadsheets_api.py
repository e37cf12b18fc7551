"""Issue 18 item 4, voucher: the bulk issue list as an .xlsx (template, good sheet, bad cells, 415) and the
targets dashboard as an .xlsx and a CSV an office opens."""

from __future__ import annotations

import io
from typing import Any

import httpx
import xlsxwriter
from python_calamine import CalamineWorkbook
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from voucher_testdata import Scenario, holder_ids

from skills_shared.spreadsheets import BOM, XLSX_MEDIA

XLSX = {"Content-Type": XLSX_MEDIA}


def workbook(rows: list[list[Any]], sheet: str = "培训券发放名单") -> bytes:
    """A workbook as an office fills it in: the header row, then the rows, cells as typed."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet(sheet)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value is not None:
                ws.write(r, c, value)
    book.close()
    return buffer.getvalue()


def read_back(content: bytes) -> dict[str, list[list[Any]]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


async def _count(engine: AsyncEngine, sql: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


async def test_template_has_the_chinese_headers_and_instructions(
    client: httpx.AsyncClient, scenario: Scenario
) -> None:
    r = await client.get("/v1/templates/voucher-holders.xlsx", headers=scenario.city)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == XLSX_MEDIA
    sheets = read_back(r.content)
    assert list(sheets) == ["培训券发放名单", "填写说明"]
    assert sheets["培训券发放名单"] == [["身份证号", "所属区县"]]
    guide = sheets["填写说明"]
    assert guide[0] == ["工作表", "列名或项目", "填写说明", "示例", "是否必填"]
    assert [row[:2] for row in guide[1:]] == [["培训券发放名单", "身份证号"], ["培训券发放名单", "所属区县"]]


async def test_a_filled_in_template_issues_like_the_json_list(
    client: httpx.AsyncClient, scenario: Scenario, engine: AsyncEngine
) -> None:
    campaign = await scenario.campaign(2026)
    template = (await client.get("/v1/templates/voucher-holders.xlsx", headers=scenario.city)).content
    headers = read_back(template)["培训券发放名单"][0]
    ids = holder_ids(3, start=900)
    sheet = workbook([headers, [ids[0], "渝中区"], [None, None], [ids[1], 7], [ids[2], "41"]])
    r = await client.post(
        f"/v1/campaigns/{campaign}/issues", content=sheet, headers={**scenario.city, **XLSX}
    )
    assert r.status_code == 201, r.text
    assert r.json()["issued"] == 3
    async with engine.connect() as conn:
        rows = (
            await conn.execute(text("SELECT holder_id, district_code FROM grants ORDER BY holder_id"))
        ).all()
    assert sorted((i, d) for i, d in rows) == sorted([(ids[0], "04"), (ids[1], "07"), (ids[2], "41")])


async def test_every_bad_cell_is_named_by_sheet_row_and_column_and_nothing_is_stored(
    client: httpx.AsyncClient, scenario: Scenario, engine: AsyncEngine
) -> None:
    campaign = await scenario.campaign(2026)
    good = holder_ids(3, start=950)
    bad_checksum = good[1][:-1] + ("0" if good[1][-1] != "0" else "1")
    sheet = workbook(
        [
            ["身份证号", "所属区县"],
            [good[0], "渝中区"],
            [bad_checksum, "渝中区"],  # row 3: checksum
            [good[2], "火星区"],  # row 4: no such district
            [None, "江北区"],  # row 5: ID missing
            [good[0], "04"],  # row 6: repeats row 2
        ]
    )
    r = await client.post(
        f"/v1/campaigns/{campaign}/issues", content=sheet, headers={**scenario.city, **XLSX}
    )
    assert r.status_code == 422, r.text
    named = {tuple(e["loc"]) for e in r.json()["errors"]}
    for cell in (
        ("file", "培训券发放名单", 3, "身份证号"),
        ("file", "培训券发放名单", 4, "所属区县"),
        ("file", "培训券发放名单", 5, "身份证号"),
    ):
        assert cell in named, r.json()
    assert all(loc[:2] == ("file", "培训券发放名单") for loc in named)
    assert await _count(engine, "SELECT count(*) FROM grants") == 0
    # Once the cells are right, the repeated holder is still refused, named at its row.
    fixed = workbook([["身份证号", "所属区县"], [good[0], "渝中区"], [good[2], "04"], [good[0], "04"]])
    again = await client.post(
        f"/v1/campaigns/{campaign}/issues", content=fixed, headers={**scenario.city, **XLSX}
    )
    assert again.status_code == 422, again.text
    assert ["file", "培训券发放名单", 4, "身份证号"] in [e["loc"] for e in again.json()["errors"]]
    assert await _count(engine, "SELECT count(*) FROM grants") == 0


async def test_unknown_headers_and_a_file_that_is_not_xlsx_are_422(
    client: httpx.AsyncClient, scenario: Scenario
) -> None:
    campaign = await scenario.campaign(2026)
    wrong_headers = workbook([["身份证", "区县名称"], ["500103198503120274", "渝中区"]])
    r = await client.post(
        f"/v1/campaigns/{campaign}/issues", content=wrong_headers, headers={**scenario.city, **XLSX}
    )
    assert r.status_code == 422
    locs = [e["loc"] for e in r.json()["errors"]]
    assert ["file", "培训券发放名单", 1, "身份证"] in locs and [
        "file",
        "培训券发放名单",
        1,
        "身份证号",
    ] in locs
    junk = await client.post(
        f"/v1/campaigns/{campaign}/issues", content=b"not a workbook", headers={**scenario.city, **XLSX}
    )
    assert junk.status_code == 422 and junk.json()["errors"][0]["loc"] == ["file"]


async def test_a_type_no_route_takes_is_415_naming_what_is_taken(
    client: httpx.AsyncClient, scenario: Scenario
) -> None:
    campaign = await scenario.campaign(2026)
    csv_body = "身份证号,所属区县\n500103198503120274,渝中区\n".encode()
    r = await client.post(
        f"/v1/campaigns/{campaign}/issues",
        content=csv_body,
        headers={**scenario.city, "Content-Type": "text/csv"},
    )
    assert r.status_code == 415, r.text
    assert r.json()["accepted"] == ["application/json", XLSX_MEDIA]
    # A JSON-only route still takes JSON alone.
    only_json = await client.post(
        "/v1/campaigns", content=workbook([["a"]]), headers={**scenario.city, **XLSX}
    )
    assert only_json.status_code == 415 and only_json.json()["accepted"] == ["application/json"]


async def test_targets_as_xlsx_and_csv_name_districts_in_chinese(
    client: httpx.AsyncClient, scenario: Scenario
) -> None:
    campaign = await scenario.campaign(2026)
    await scenario.issue(campaign, holder_ids(2, start=980), district="04")
    r = await client.get("/v1/targets?year=2026&format=xlsx", headers=scenario.city)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == XLSX_MEDIA
    rows = read_back(r.content)["2026年培训券目标完成情况"]
    assert rows[0][:5] == ["区县", "目标（张）", "已发放（张）", "已领取（张）", "已使用（张）"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["渝中区"][1:3] == [3000, 2] and by_name["渝中区"][6] == "否"
    assert by_name["全市合计"][2] == 2
    assert not any(str(name).isdigit() for name in by_name)
    csv_r = await client.get("/v1/targets?year=2026&format=csv", headers=scenario.city)
    assert csv_r.status_code == 200
    assert csv_r.content.startswith(BOM.encode())
    lines = csv_r.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("区县,目标（张）,已发放（张）")
    assert any(line.startswith("渝中区,3000,2,") for line in lines)
