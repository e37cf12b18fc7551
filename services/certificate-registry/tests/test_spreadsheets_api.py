"""Issue 18 item 4, registry: evaluation results as an .xlsx (template, good sheet, every bad cell named, 415),
the roster and the report as .xlsx and CSV in Chinese, opened back as an office's Excel would."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import httpx
import xlsxwriter
from python_calamine import CalamineWorkbook
from registry_testkit import APPROVAL_DAY, DISTRICT_BODY, EVALUATION_DAY, Registry, candidate
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skills_shared.spreadsheets import BOM, XLSX_MEDIA
from skills_shared.testing import auth_headers

HEADERS = ["姓名", "身份证号", "性别", "照片编号", "理论知识成绩", "操作技能成绩", "综合评审成绩"]


def workbook(rows: list[list[Any]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("评价结果")
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def first_sheet(content: bytes) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def as_row(c: dict[str, Any]) -> list[Any]:
    return [
        c["name"],
        c["id_number"],
        c["gender"],
        c["photo_ref"],
        c["scores"]["theory"],
        c["scores"]["skill"],
    ]


async def _put(registry: Registry, batch_id: str, content: bytes, **headers: str) -> httpx.Response:
    registry.on(EVALUATION_DAY + timedelta(days=1))
    return await registry.client.put(
        f"/v1/batches/{batch_id}/results",
        content=content,
        headers={**registry.staff(), "Content-Type": XLSX_MEDIA, **headers},
    )


async def test_results_template_then_a_good_sheet_uploads_like_json(
    registry: Registry, client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    template = await client.get("/v1/templates/evaluation-results.xlsx", headers=registry.staff())
    assert template.status_code == 200 and template.headers["content-type"] == XLSX_MEDIA
    assert first_sheet(template.content) == [HEADERS]
    await registry.put_issuer()
    batch_id = await registry.create_batch()
    rows = [candidate(i) for i in range(3)] + [candidate(3, passed=False)]
    uploaded = await _put(registry, batch_id, workbook([HEADERS, *[as_row(c) for c in rows]]))
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["candidate_count"] == 4 and uploaded.json()["passed_count"] == 3
    async with engine.connect() as conn:
        names = (await conn.execute(text("SELECT name FROM candidates ORDER BY name"))).scalars().all()
    assert sorted(names) == sorted(["考生甲", "考生乙", "考生丙", "考生丁"])


async def test_every_bad_cell_is_named_and_nothing_is_stored(registry: Registry, engine: AsyncEngine) -> None:
    await registry.put_issuer()
    batch_id = await registry.create_batch()
    good = [as_row(candidate(i)) for i in range(4)]
    bad_checksum = good[1][1][:-1] + ("0" if good[1][1][-1] != "0" else "1")
    sheet = workbook(
        [
            HEADERS,
            good[0],
            [good[1][0], bad_checksum, *good[1][2:]],  # row 3: ID checksum
            [good[2][0], good[2][1], "男", *good[2][3:]],
            [good[3][0], good[3][1], "男", None, "七十五", 80],  # row 5: a score in words
            [None, good[0][1], "男", None, 75, 80],  # row 6: name missing, ID repeats row 2
        ]
    )
    # Cells of the wrong type are named first, by the row model of the JSON route ...
    refused = await _put(registry, batch_id, sheet)
    assert refused.status_code == 422, refused.text
    assert {tuple(e["loc"]) for e in refused.json()["errors"]} == {
        ("file", "评价结果", 5, "理论知识成绩"),
        ("file", "评价结果", 6, "姓名"),
    }
    # ... then the whole-upload checks of the service name every remaining bad cell at once, as for JSON.
    typed = workbook(
        [
            HEADERS,
            good[0],
            [good[1][0], bad_checksum, *good[1][2:]],  # row 3: ID checksum
            [good[2][0], good[2][1], "女", *good[2][3:]],  # row 4: gender against the ID
        ]
    )
    refused = await _put(registry, batch_id, typed)
    assert refused.status_code == 422, refused.text
    named = {tuple(e["loc"]) for e in refused.json()["errors"]}
    for cell in (
        ("file", "评价结果", 3, "身份证号"),
        ("file", "评价结果", 4, "性别"),
    ):
        assert cell in named, refused.json()
    # A repeated ID number is refused on its own, as on every bulk write: both rows named, nothing stored.
    repeated = workbook([HEADERS, *good[:3], ["考生癸", good[0][1], "男", None, 75, 80]])
    refused = await _put(registry, batch_id, repeated)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "duplicate_rows"
    assert refused.json()["duplicates"] == [{"rows": [0, 3], "field": "candidates", "member": "id_number"}]
    assert [tuple(e["loc"]) for e in refused.json()["errors"]] == [("file", "评价结果", 5, "身份证号")]
    assert "第4项与第1项" in refused.json()["detail"]
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM candidates"))).scalar_one() == 0


async def test_a_type_the_route_does_not_take_is_415(registry: Registry) -> None:
    await registry.put_issuer()
    batch_id = await registry.create_batch()
    refused = await _put(registry, batch_id, b"a,b\n", **{"Content-Type": "text/csv"})
    assert refused.status_code == 415
    assert refused.json()["accepted"] == ["application/json", XLSX_MEDIA]


async def test_roster_and_report_as_xlsx_and_csv_in_chinese(
    registry: Registry, client: httpx.AsyncClient
) -> None:
    await registry.put_issuer()
    rows = [candidate(i) for i in range(2)]
    batch_id = await registry.ready_batch(rows)
    assert (await registry.issue(batch_id)).status_code == 201
    roster = await client.get(f"/v1/batches/{batch_id}/roster?format=xlsx", headers=registry.officer())
    assert roster.status_code == 200 and roster.headers["content-type"] == XLSX_MEDIA
    sheet = first_sheet(roster.content)
    assert sheet[0] == [
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
    ]
    assert sheet[1][0] == 1 and sheet[1][2:5] == ["考生甲", "男", rows[0]["id_number"]]
    assert sheet[1][8:] == ["四级/中级工", APPROVAL_DAY] and len(sheet) == 3

    day = {"from": APPROVAL_DAY.isoformat(), "to": APPROVAL_DAY.isoformat()}
    city = auth_headers("city_officer")
    report = await client.get("/v1/reports/certificates", params={**day, "format": "xlsx"}, headers=city)
    assert report.status_code == 200 and report.headers["content-type"] == XLSX_MEDIA
    header, first, _ = first_sheet(report.content)
    assert header[:4] == ["证书编号", "姓名", "身份证号码", "性别"]
    assert header[7:] == [
        "等级",
        "发证日期",
        "评价机构代码",
        "评价机构名称",
        "取得方式",
        "证书状态",
        "撤销日期",
    ]
    assert first[7:9] == ["四级/中级工", APPROVAL_DAY] and first[9] == DISTRICT_BODY
    assert first[11:] == ["职业技能评价", "有效", ""]
    as_csv = await client.get("/v1/reports/certificates", params=day, headers=city)
    assert as_csv.content.startswith(BOM.encode())
    lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert lines[0] == header and lines[1][11:13] == ["职业技能评价", "有效"]
    counts = await client.get("/v1/reports/counts", params={**day, "format": "xlsx"}, headers=city)
    assert counts.status_code == 200 and counts.headers["content-type"] == XLSX_MEDIA
    header, group = first_sheet(counts.content)
    assert header == [
        "评价机构代码",
        "评价机构名称",
        "职业编码",
        "职业名称",
        "等级",
        "年度",
        "发证数（本）",
        "其中已撤销（本）",
    ]
    assert group[0] == DISTRICT_BODY and group[4:] == ["四级/中级工", APPROVAL_DAY.year, 2, 0]
