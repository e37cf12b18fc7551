"""Excel in and out: one place that reads .xlsx uploads and writes .xlsx and CSV files an office opens.

Offices keep their lists in Excel. Every table the suite hands out is described once as a tuple of `Column`
(Chinese header, field key, kind of value) and written two ways from it:

- `xlsx_bytes`: Chinese headers in bold, the header row frozen and repeated on every printed page, each column
  as wide as its longest value (CJK characters count double), very long text wrapped rather than cut off,
  dates as real dates, amounts as numbers with two decimals, and printing fitted to one page wide (landscape).
- `csv_bytes`: the same headers with a UTF-8 byte-order mark, so that Excel shows no mojibake, and text that
  starts like a formula neutralised (CSV injection).

Uploads are read with python-calamine (`read_sheet`): the first worksheet, a header row matched to the columns
by their Chinese header, one dict per filled row with each cell turned into what JSON would carry (dates as
ISO text, whole numbers typed into a text column as text). The dicts are then validated by the very pydantic
model of the JSON route, and every error is reported by sheet, row and column (`cell_errors`), so an upload
has one set of rules whichever way it arrives.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

import xlsxwriter
from python_calamine import CalamineError, CalamineWorkbook

from skills_shared.problems import FieldError, Problem
from skills_shared.reference import CQ_DISTRICTS, CQ_FILING_PLACES

XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA = "text/csv; charset=utf-8"
BOM = "\ufeff"
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024
"""An .xlsx is a zip: a small upload that would inflate past this is refused before it is parsed."""
MAX_LISTED_ERRORS = 1_000
"""A 422 lists every bad cell up to this many, and says how many more there were."""
_MAX_WIDTH = 60
_WRAP_FROM = 40

Kind = Literal["text", "int", "number", "date", "yuan", "fen"]
"""How a column's value is written and read: text (never a number, so IDs keep their digits), a whole number,
any number, a date, an amount in yuan (a ``"1234.50"`` string or a number), or an amount held in fen and
shown in yuan."""


@dataclass(frozen=True)
class Column:
    """One column of a table: where its value sits in a row (``key``, dotted for nested fields such as
    ``scores.theory``), its Chinese header, and the kind of value it holds."""

    key: str
    header: str
    kind: Kind = "text"
    note: str = ""
    """What to enter, shown on the template's instructions sheet."""
    example: Any = None
    required: bool = False
    width: int | None = None
    """At least this wide (a column left empty in a template, to be typed into)."""
    from_cell: Callable[[Any], Any] | None = None
    """Turns what an office types into what the JSON body carries (a district's name into its code)."""


@dataclass(frozen=True)
class Table:
    """A sheet to write: its Chinese title, columns and rows (mappings keyed by `Column.key`)."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Mapping[str, Any]] = field(default_factory=tuple)


# --- writing ------------------------------------------------------------------------------------------------


def display_width(text: str) -> int:
    """Width in Excel character units: CJK (wide and full-width) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _value(row: Mapping[str, Any], key: str) -> Any:
    value: Any = row
    for part in key.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _shown(value: Any, kind: Kind) -> str:
    """The text a cell shows, for sizing its column and for CSV."""
    if value is None:
        return ""
    if kind == "fen" and isinstance(value, int):
        return f"{Decimal(value) / 100:,.2f}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def xlsx_bytes(*tables: Table) -> bytes:
    """An .xlsx workbook with one sheet per table, laid out as described in the module docstring."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    book.set_properties({"title": tables[0].title if tables else "", "author": "职业技能服务平台"})
    base = {"font_name": "宋体", "font_size": 11, "valign": "top", "indent": 1}
    header = book.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    right = {**base, "align": "right"}
    formats = _Formats(
        plain=book.add_format(right),
        text=book.add_format({**base, "num_format": "@"}),
        wrapped=book.add_format({**base, "num_format": "@", "text_wrap": True}),
        as_date=book.add_format({**right, "num_format": "yyyy-mm-dd"}),
        as_datetime=book.add_format({**right, "num_format": "yyyy-mm-dd hh:mm"}),
        as_yuan=book.add_format({**right, "num_format": "#,##0.00"}),
    )
    for table in tables:
        sheet = book.add_worksheet(_sheet_name(table.title))
        rows = list(table.rows)
        widths = [display_width(c.header) for c in table.columns]
        for row in rows:
            for col, column in enumerate(table.columns):
                widths[col] = max(widths[col], display_width(_shown(_value(row, column.key), column.kind)))
        wraps = [width + 4 > _MAX_WIDTH for width in widths]
        for col, column in enumerate(table.columns):
            # A margin either side, and room for the filter button on the header; too long, it wraps.
            width = _WRAP_FROM if wraps[col] else max(widths[col] + 4, column.width or 6)
            sheet.set_column(col, col, width, formats.wrapped if wraps[col] else formats.text)
            sheet.write_string(0, col, column.header, header)
        for row_index, row in enumerate(rows, start=1):
            for col, column in enumerate(table.columns):
                _write(sheet, row_index, col, _value(row, column.key), column.kind, formats, wraps[col])
        row_index = len(rows)
        sheet.freeze_panes(1, 0)
        if table.columns:
            sheet.autofilter(0, 0, max(row_index, 1), len(table.columns) - 1)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0)
        sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        sheet.set_footer("&C第 &P 页，共 &N 页")
    book.close()
    return buffer.getvalue()


@dataclass(frozen=True)
class _Formats:
    plain: Any
    text: Any
    wrapped: Any
    as_date: Any
    as_datetime: Any
    as_yuan: Any


def _write(sheet: Any, row: int, col: int, value: Any, kind: Kind, formats: _Formats, wrap: bool) -> None:
    if value is None or value == "":
        return
    if kind == "fen" and isinstance(value, int) and not isinstance(value, bool):
        sheet.write_number(row, col, float(Decimal(value) / 100), formats.as_yuan)
    elif kind == "yuan" and isinstance(value, (int, float, Decimal, str)) and _is_number(value):
        sheet.write_number(row, col, float(value), formats.as_yuan)
    elif isinstance(value, datetime):
        sheet.write_datetime(row, col, value.replace(tzinfo=None), formats.as_datetime)
    elif isinstance(value, date):
        sheet.write_datetime(row, col, datetime(value.year, value.month, value.day), formats.as_date)
    elif kind in ("int", "number") and isinstance(value, (int, float)) and not isinstance(value, bool):
        sheet.write_number(row, col, value, formats.plain)
    else:
        # Strings are written as strings, never as formulas: a cell that starts with "=" stays text.
        sheet.write_string(row, col, _shown(value, kind), formats.wrapped if wrap else formats.text)


def _is_number(value: Any) -> bool:
    try:
        Decimal(str(value))
    except ArithmeticError:
        return False
    return True


def _sheet_name(title: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)
    return cleaned[:31] or "Sheet1"


def csv_bytes(columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """UTF-8 CSV with a byte-order mark and Chinese headers; dates as YYYY-MM-DD, amounts in fen as yuan."""
    return (BOM + csv_header(columns) + "".join(csv_row(columns, row) for row in rows)).encode("utf-8")


def csv_header(columns: Sequence[Column]) -> str:
    """The header line of a CSV (without the byte-order mark): for exports streamed line by line."""
    return _csv_line([c.header for c in columns])


def csv_row(columns: Sequence[Column], row: Mapping[str, Any]) -> str:
    """One line of a CSV: each value as a cell shows it, formula-like text neutralised."""
    return _csv_line([_neutral(_shown(_value(row, c.key), c.kind)) for c in columns])


def _csv_line(values: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


def _neutral(text: str) -> str:
    """CSV injection: text starting with = + - @ (or a tab or CR) opens as a formula; a quote keeps it text.
    Negative numbers are left alone."""
    if text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and not _is_number(text)):
        return "'" + text
    return text


FORM_HEADERS = ("项目", "内容")
"""A form sheet: one item a row, its name in column A and its value in column B."""


def template_xlsx(
    lists: Sequence[tuple[str, Sequence[Column]]], form: tuple[str, Sequence[Column]] | None = None
) -> bytes:
    """A template to fill in: a form sheet with its items named (when the upload has one), each list's headers
    alone on its sheet, and a last sheet 填写说明 with each column's meaning and an example, so that no example
    row is ever uploaded by mistake."""
    tables: list[Table] = []
    described: list[tuple[str, Column]] = []
    if form is not None:
        title, items = form
        rows = [{"item": c.header} for c in items]
        form_columns = (Column("item", FORM_HEADERS[0]), Column("value", FORM_HEADERS[1], width=50))
        tables.append(Table(title, form_columns, rows))
        described += [(title, c) for c in items]
    for title, columns in lists:
        tables.append(Table(title, columns))
        described += [(title, c) for c in columns]
    guide = [
        {
            "sheet": title,
            "header": c.header,
            "note": c.note,
            "example": c.example,
            "required": "必填" if c.required else "选填",
        }
        for title, c in described
    ]
    guide_columns = (
        Column("sheet", "工作表"),
        Column("header", "列名或项目"),
        Column("note", "填写说明"),
        Column("example", "示例"),
        Column("required", "是否必填"),
    )
    return xlsx_bytes(*tables, Table("填写说明", guide_columns, guide))


# --- reading ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetRows:
    """What an upload held: the sheet read, each filled row as a dict keyed like the JSON body, and the Excel
    row number of each (header is row 1) so that errors can point at the cell."""

    sheet: str
    rows: list[dict[str, Any]]
    row_numbers: list[int]
    columns: Sequence[Column]

    def locate(self, index: int, path: Sequence[str | int]) -> list[str | int]:
        """``["file", sheet, row, header]`` for an error at row ``index`` and field ``path`` of that row."""
        loc: list[str | int] = ["file", self.sheet]
        if not 0 <= index < len(self.row_numbers):
            return loc
        loc.append(self.row_numbers[index])
        dotted = ".".join(str(p) for p in path)
        for column in self.columns:
            if dotted == column.key or dotted.startswith(column.key + "."):
                return [*loc, column.header]
        for column in self.columns:
            if column.key.startswith(dotted + ".") or column.key == dotted:
                return [*loc, column.header]
        return [*loc, dotted] if dotted else loc


def file_problem(
    errors: Sequence[FieldError],
    *,
    code: str = "validation_failed",
    rule: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Problem:
    """One 422 naming every bad cell (up to `MAX_LISTED_ERRORS`, then how many more)."""
    shown = list(errors[:MAX_LISTED_ERRORS])
    more = len(errors) - len(shown)
    first = shown[0]
    detail = f"{'/'.join(str(p) for p in first.loc[1:])}: {first.msg}"
    if len(errors) > 1:
        detail = f"表格中有 {len(errors)} 处错误；第一处 {detail}"
    if more:
        detail += f"（只列出前 {MAX_LISTED_ERRORS} 处）"
    title = "Validation failed" if code == "validation_failed" else None
    return Problem(422, code, detail, title=title, rule=rule, errors=shown, extra=extra)


def _unreadable(msg: str) -> Problem:
    return file_problem([FieldError(loc=["file"], msg=msg, type="xlsx_invalid")])


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise _unreadable("不是有效的 .xlsx 文件（应为 Excel 2007 及以上格式）") from None
    if inflated > MAX_UNZIPPED_BYTES:
        raise _unreadable("文件解压后过大，请拆分后分批上传")


def _cells(data: bytes, sheet_name: str | None) -> tuple[str, list[list[Any]]]:
    """The cells of the named sheet (or the first), from A1 on, so that row numbers are Excel's."""
    _check_zip(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = book.sheet_names
        if not names:
            raise _unreadable("文件中没有工作表")
        sheet = names[0] if sheet_name is None else sheet_name
        if sheet not in names:
            raise file_problem(
                [
                    FieldError(
                        loc=["file", sheet], msg="缺少该工作表（请使用下载的模板）", type="sheet_missing"
                    )
                ]
            )
        return sheet, book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except CalamineError as exc:
        raise _unreadable(f"无法读取 .xlsx 文件：{str(exc)[:120]}") from None


def read_sheet(data: bytes, columns: Sequence[Column], *, sheet_name: str | None = None) -> SheetRows:
    """A worksheet (the first, or the one named) as row dicts; a 422 naming every missing or unknown header.

    Blank rows are skipped; a blank cell is left out of its row (the model then says whether it is required).
    """
    sheet, cells = _cells(data, sheet_name)
    if not cells or not any(_blank(v) is False for v in cells[0]):
        raise file_problem(
            [
                FieldError(
                    loc=["file", sheet, 1], msg="第1行应为表头（请使用下载的模板）", type="header_missing"
                )
            ]
        )
    by_header = {c.header: c for c in columns}
    heads = [str(v).strip() if not _blank(v) else "" for v in cells[0]]
    errors: list[FieldError] = []
    placed: dict[int, Column] = {}
    for index, head in enumerate(heads):
        if not head:
            continue
        column = by_header.get(head)
        if column is None:
            errors.append(
                FieldError(
                    loc=["file", sheet, 1, head], msg="未知的列（请使用模板中的表头）", type="header_unknown"
                )
            )
        elif column in placed.values():
            errors.append(FieldError(loc=["file", sheet, 1, head], msg="列重复", type="header_repeated"))
        else:
            placed[index] = column
    for column in columns:
        if column.required and column not in placed.values():
            errors.append(
                FieldError(loc=["file", sheet, 1, column.header], msg="缺少该列", type="header_missing")
            )
    if errors:
        raise file_problem(errors)
    rows: list[dict[str, Any]] = []
    numbers: list[int] = []
    for number, values in enumerate(cells[1:], start=2):
        row: dict[str, Any] = {}
        for index, column in placed.items():
            value = values[index] if index < len(values) else None
            if _blank(value):
                continue
            value = _json_value(value, column.kind)
            _put(row, column.key, column.from_cell(value) if column.from_cell else value)
        if row:
            rows.append(row)
            numbers.append(number)
    return SheetRows(sheet, rows, numbers, columns)


@dataclass(frozen=True)
class FormRows:
    """A form sheet as read: the values keyed like the JSON body, and the row each item was found on."""

    sheet: str
    values: dict[str, Any]
    rows: dict[str, int]

    def locate(self, path: Sequence[str | int]) -> list[str | int] | None:
        """``["file", sheet, row, "内容"]`` for an error about one of the form's items."""
        key = str(path[0]) if path else ""
        if key not in self.rows:
            return None
        return ["file", self.sheet, self.rows[key], FORM_HEADERS[1]]


def read_form(data: bytes, sheet_name: str, items: Sequence[Column]) -> FormRows:
    """A form sheet (item names in column A, values in column B); a 422 naming unknown or missing items."""
    sheet, cells = _cells(data, sheet_name)
    by_header = {c.header: c for c in items}
    values: dict[str, Any] = {}
    rows: dict[str, int] = {}
    errors: list[FieldError] = []
    for number, line in enumerate(cells, start=1):
        head = str(line[0]).strip() if line and not _blank(line[0]) else ""
        if not head or (number == 1 and head == FORM_HEADERS[0]):
            continue
        column = by_header.get(head)
        if column is None:
            errors.append(
                FieldError(loc=["file", sheet, number, head], msg="未知的项目", type="item_unknown")
            )
            continue
        rows[column.key] = number
        value = line[1] if len(line) > 1 else None
        if not _blank(value):
            value = _json_value(value, column.kind)
            values[column.key] = column.from_cell(value) if column.from_cell else value
    for column in items:
        if column.required and column.key not in rows:
            errors.append(
                FieldError(loc=["file", sheet, column.header], msg="缺少该项目", type="item_missing")
            )
    if errors:
        raise file_problem(errors)
    return FormRows(sheet, values, rows)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _put(row: dict[str, Any], key: str, value: Any) -> None:
    *parents, last = key.split(".")
    target = row
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


def _json_value(value: Any, kind: Kind) -> Any:
    """A cell as the JSON body would carry it; the model decides whether it is right."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime) and kind == "date" and value.time() == datetime.min.time():
        return value.date().isoformat()
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if kind == "text" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if kind == "int" and isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    if isinstance(value, str):
        return value.strip()
    return value


def district_code_of(value: Any) -> Any:
    """A Chongqing district typed by name (渝中区) or by code (04, or 4 once Excel made it a number) as its
    two-digit code; anything else is passed on for the model to refuse."""
    text = str(value).strip()
    if text.isdigit() and len(text) <= 2:
        return text.zfill(2)
    for code, name in CQ_DISTRICTS.items():
        if text == name:
            return code
    return value


def district_name_of(code: str | None) -> str:
    """The Chinese name of a Chongqing district code for a file; the code itself if it is not a row."""
    if not code:
        return ""
    return CQ_FILING_PLACES.get(code, code)


def cell_errors(
    sheet: SheetRows, errors: Iterable[FieldError], list_path: Sequence[str | int]
) -> list[FieldError]:
    """Errors about the JSON body (``["body", *list_path, i, field...]``) pointed at the sheet's cells."""
    out: list[FieldError] = []
    prefix = ["body", *list_path]
    for error in errors:
        loc = list(error.loc)
        if loc[: len(prefix)] == prefix and len(loc) > len(prefix) and isinstance(loc[len(prefix)], int):
            where = sheet.locate(int(loc[len(prefix)]), loc[len(prefix) + 1 :])
        else:
            where = ["file", sheet.sheet]
        out.append(FieldError(loc=where, msg=error.msg, type=error.type))
    return out
