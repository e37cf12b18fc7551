"""The shared Excel module: what it writes opens as an office expects, what it reads points at cells."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
from python_calamine import CalamineWorkbook

from skills_shared import spreadsheets
from skills_shared.middleware import ACCEPTED_EXTENSION, body_types_of
from skills_shared.problems import FieldError, Problem
from skills_shared.spreadsheets import (
    BOM,
    XLSX_MEDIA,
    Column,
    Table,
    cell_errors,
    csv_bytes,
    display_width,
    district_code_of,
    read_sheet,
    template_xlsx,
    xlsx_bytes,
)

COLUMNS = (
    Column("name", "姓名", required=True),
    Column("id_number", "身份证号", required=True),
    Column("amount_fen", "金额（元）", "fen"),
    Column("on", "日期", "date"),
    Column("scores.theory", "理论知识成绩", "int"),
)
LONG_BODY = "重庆市渝中区某某职业技能培训学校有限责任公司第二分公司附属职业技能评价中心" * 2


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


def test_xlsx_keeps_ids_as_text_dates_as_dates_and_amounts_as_yuan() -> None:
    rows = [
        {"name": "张三", "id_number": "500103198503120274", "amount_fen": 123_456, "on": date(2026, 6, 23)}
    ]
    content = xlsx_bytes(Table("名单", COLUMNS, rows))
    read = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name("名单").to_python()
    assert read == [
        ["姓名", "身份证号", "金额（元）", "日期", "理论知识成绩"],
        ["张三", "500103198503120274", 1234.56, date(2026, 6, 23), ""],
    ]


def test_xlsx_freezes_the_header_sizes_columns_to_their_text_and_wraps_what_is_too_long() -> None:
    columns = (Column("body", "评价机构名称"), Column("name", "姓名"))
    content = xlsx_bytes(Table("名单", columns, [{"body": LONG_BODY, "name": "欧阳娜娜"}]))
    xml = sheet_xml(content)
    assert 'ySplit="1"' in xml and 'state="frozen"' in xml
    widths = [float(w) for w in re.findall(r'<col [^>]*width="([\d.]+)"', xml)]
    assert widths[0] >= 40  # the long name wraps inside a wide column rather than overflowing
    assert widths[1] >= display_width("欧阳娜娜")
    styles = zipfile.ZipFile(io.BytesIO(content)).read("xl/styles.xml").decode()
    cell_formats = re.search(r"<cellXfs[^>]*>(.*)</cellXfs>", styles, re.S)
    assert cell_formats is not None
    xfs = re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", cell_formats.group(1), re.S)
    long_cell = re.search(r'<c r="A2" s="(\d+)"', xml)
    assert long_cell is not None and 'wrapText="1"' in xfs[int(long_cell.group(1))]  # the cell itself wraps
    assert "fitToPage" in xml  # printed one page wide, so no column is cut off on paper


def test_a_string_that_looks_like_a_formula_stays_text() -> None:
    content = xlsx_bytes(Table("名单", (Column("name", "姓名"),), [{"name": '=HYPERLINK("x")'}]))
    assert "<f>" not in sheet_xml(content)
    csv_text = csv_bytes((Column("name", "姓名"), Column("n", "数", "int")), [{"name": "=1+1", "n": -5}])
    assert csv_text.startswith(BOM.encode())
    assert csv_text.decode("utf-8-sig").splitlines() == ["姓名,数", "'=1+1,-5"]


def test_a_template_has_the_headers_alone_and_instructions_beside() -> None:
    book = CalamineWorkbook.from_filelike(io.BytesIO(template_xlsx([("名单", COLUMNS)])))
    assert book.sheet_names == ["名单", "填写说明"]
    assert book.get_sheet_by_index(0).to_python() == [[c.header for c in COLUMNS]]


def test_read_sheet_reads_cells_as_json_would_carry_them() -> None:
    rows = [
        {"name": "张三", "id_number": "500103198503120274", "on": date(2026, 1, 2), "scores": {"theory": 80}},
    ]
    content = xlsx_bytes(Table("名单", COLUMNS, rows))
    sheet = read_sheet(content, COLUMNS)
    assert sheet.sheet == "名单" and sheet.row_numbers == [2]
    assert sheet.rows == [
        {"name": "张三", "id_number": "500103198503120274", "on": "2026-01-02", "scores": {"theory": 80}}
    ]


def test_errors_about_the_body_are_pointed_at_cells() -> None:
    content = xlsx_bytes(Table("名单", COLUMNS, [{"name": "a"}, {}, {"name": "b"}]))
    sheet = read_sheet(content, COLUMNS)
    assert sheet.row_numbers == [2, 4]  # the blank row 3 is skipped, row numbers stay Excel's
    errors = [
        FieldError(loc=["body", "rows", 1, "id_number"], msg="必填字段缺失", type="missing"),
        FieldError(loc=["body", "rows", 0, "scores", "theory"], msg="应为整数", type="int_type"),
        FieldError(loc=["body", "rows"], msg="条目过多", type="too_long"),
    ]
    assert [e.loc for e in cell_errors(sheet, errors, ("rows",))] == [
        ["file", "名单", 4, "身份证号"],
        ["file", "名单", 2, "理论知识成绩"],
        ["file", "名单"],
    ]


def test_wrong_headers_are_each_named() -> None:
    content = xlsx_bytes(
        Table("名单", (Column("a", "姓名"), Column("b", "身份证"), Column("c", "姓名")), [{}])
    )
    with pytest.raises(Problem) as refused:
        read_sheet(content, COLUMNS)
    assert [e.loc for e in refused.value.errors] == [
        ["file", "名单", 1, "身份证"],
        ["file", "名单", 1, "姓名"],
        ["file", "名单", 1, "身份证号"],
    ]


def test_a_zip_that_would_inflate_too_far_is_refused_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spreadsheets, "MAX_UNZIPPED_BYTES", 1_000_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 2_000_000)
    assert len(buffer.getvalue()) < 10_000
    with pytest.raises(Problem) as refused:
        read_sheet(buffer.getvalue(), COLUMNS)
    assert refused.value.status == 422 and refused.value.errors[0].loc == ["file"]


def test_districts_are_read_by_name_or_code() -> None:
    assert [district_code_of(v) for v in ("渝中区", "04", "4", "火星区")] == ["04", "04", "04", "火星区"]


def test_the_middleware_lets_through_what_the_openapi_documents() -> None:
    openapi = {
        "paths": {
            "/v1/a/{id}/rows": {
                "post": {"requestBody": {"content": {"application/json": {}, XLSX_MEDIA: {}}}}
            },
            "/v1/b": {"post": {"requestBody": {"content": {"application/json": {}}}}},
        }
    }
    [(pattern, method, types)] = body_types_of(openapi)
    assert pattern.match("/v1/a/7/rows") and method == "POST" and types == ("application/json", XLSX_MEDIA)
    # A document rewritten for client generators (JSON alone in ``content``) still names what is taken.
    openapi["paths"]["/v1/a/{id}/rows"]["post"]["requestBody"] = {
        "content": {"application/json": {}},
        ACCEPTED_EXTENSION: ["application/json", XLSX_MEDIA],
    }
    [(_, _, types)] = body_types_of(openapi)
    assert types == ("application/json", XLSX_MEDIA)
