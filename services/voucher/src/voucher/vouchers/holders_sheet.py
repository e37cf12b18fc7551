"""The holder list of a bulk issue (V-3) as an Excel sheet: its columns and its template."""

from __future__ import annotations

from skills_shared.spreadsheet_routes import SheetUpload
from skills_shared.spreadsheets import Column, district_code_of

HOLDERS_SHEET = SheetUpload(
    title="培训券发放名单",
    columns=(
        Column(
            "id_number",
            "身份证号",
            width=22,
            note="持电子社保卡的人员的18位公民身份号码，末位X大写",
            example="500103198503120274",
            required=True,
        ),
        Column(
            "district_code",
            "所属区县",
            note="培训券计入的区县，填名称（如 渝中区）或两位编码（如 04）",
            example="渝中区",
            required=True,
            from_cell=district_code_of,
        ),
    ),
    list_path=("holders",),
)
